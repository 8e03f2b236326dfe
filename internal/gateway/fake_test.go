package gateway

import (
	"context"

	"github.com/serverless-profile/profile-service/internal/profile"
)

// fakeStore is a Store whose methods are the functions it holds; a nil
// function fails the test through a panic, which the handler must survive.
type fakeStore struct {
	get    func(ctx context.Context, sub string) (profile.Profile, error)
	put    func(ctx context.Context, sub string, p profile.Profile, pc profile.Precondition) (profile.Profile, bool, error)
	patch  func(ctx context.Context, sub string, changes []profile.Change, pc profile.Precondition) (profile.Profile, error)
	delete func(ctx context.Context, sub string, pc profile.Precondition) error
	calls  int
}

func (f *fakeStore) Get(ctx context.Context, sub string) (profile.Profile, error) {
	f.calls++
	return f.get(ctx, sub)
}

func (f *fakeStore) Put(ctx context.Context, sub string, p profile.Profile, pc profile.Precondition) (profile.Profile, bool, error) {
	f.calls++
	return f.put(ctx, sub, p, pc)
}

func (f *fakeStore) Patch(ctx context.Context, sub string, changes []profile.Change, pc profile.Precondition) (profile.Profile, error) {
	f.calls++
	return f.patch(ctx, sub, changes, pc)
}

func (f *fakeStore) Delete(ctx context.Context, sub string, pc profile.Precondition) error {
	f.calls++
	return f.delete(ctx, sub, pc)
}
