package store_test

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/serverless-profile/profile-service/internal/devdb"
	"github.com/serverless-profile/profile-service/internal/profile"
	"github.com/serverless-profile/profile-service/internal/store"
)

// testSub is the made-up sub claim of the user in these tests.
const testSub = "11111111-2222-3333-4444-555555555555"

// oldTime is a timestamp long before any test runs. Tests write it into an
// item to see whether a later request keeps or replaces it, because the
// store's clock has a resolution of one second.
const oldTime = "2020-01-02T03:04:05Z"

// localStore is a store on a fresh table of the local database, with the
// client and table name for checking the raw item.
type localStore struct {
	*store.Store
	client *dynamodb.Client
	table  string
}

// newLocalStore creates a fresh table and returns a store on it. It skips
// the test when the local database is not running, or fails it under
// CI=true.
func newLocalStore(t *testing.T) *localStore {
	t.Helper()
	client, table := devdb.NewTestTable(t)
	return &localStore{Store: store.New(client, table), client: client, table: table}
}

// adaProfile returns a made-up profile with every editable field set.
func adaProfile() profile.Profile {
	return profile.Profile{
		Name:        "Ada Example",
		GivenName:   "Ada",
		FamilyName:  "Example",
		Nickname:    "ada",
		Email:       "ada@example.com",
		PhoneNumber: "+442079460018",
		Picture:     "https://example.com/ada.png",
		Website:     "https://example.com/",
		Locale:      "en-GB",
		Zoneinfo:    "Europe/London",
	}
}

// create stores p as a new profile of sub at version 1.
func (ls *localStore) create(t *testing.T, sub string, p profile.Profile) profile.Profile {
	t.Helper()
	got, created, err := ls.Put(t.Context(), sub, p, profile.Precondition{})
	if err != nil {
		t.Fatalf("Put(%s) to create the profile: %v", sub, err)
	}
	if !created || got.Version != 1 {
		t.Fatalf("Put(%s) to create the profile = version %d, created %t; want version 1, created true", sub, got.Version, created)
	}
	return got
}

// createAtVersion2 stores adaProfile for sub and patches it once, so that
// If-Match [1] is stale.
func (ls *localStore) createAtVersion2(t *testing.T, sub string) profile.Profile {
	t.Helper()
	ls.create(t, sub, adaProfile())
	got, err := ls.Patch(t.Context(), sub, []profile.Change{{Field: "nickname", Value: "Countess"}}, profile.Precondition{})
	if err != nil {
		t.Fatalf("Patch(%s) to reach version 2: %v", sub, err)
	}
	if got.Version != 2 {
		t.Fatalf("Patch(%s) to reach version 2 = version %d", sub, got.Version)
	}
	return got
}

func (ls *localStore) mustGet(t *testing.T, sub string) profile.Profile {
	t.Helper()
	got, err := ls.Get(t.Context(), sub)
	if err != nil {
		t.Fatalf("Get(%s): %v", sub, err)
	}
	return got
}

// checkAbsent fails the test unless sub has no profile.
func (ls *localStore) checkAbsent(t *testing.T, sub string) {
	t.Helper()
	got, err := ls.Get(t.Context(), sub)
	if !errors.Is(err, profile.ErrNotFound) {
		t.Errorf("Get(%s) = %+v, %v; want an error matching profile.ErrNotFound", sub, got, err)
	}
}

// checkUnchanged fails the test unless the stored profile of sub equals want.
func (ls *localStore) checkUnchanged(t *testing.T, sub string, want profile.Profile) {
	t.Helper()
	got := ls.mustGet(t, sub)
	if got != want {
		t.Errorf("stored profile changed:\n got %+v\nwant %+v", got, want)
	}
}

// rawItem reads the item of sub with the DynamoDB client, bypassing the
// store's decoding, so that tests can see the stored attributes as they are.
func (ls *localStore) rawItem(t *testing.T, sub string) map[string]types.AttributeValue {
	t.Helper()
	out, err := ls.client.GetItem(t.Context(), &dynamodb.GetItemInput{
		TableName:      aws.String(ls.table),
		Key:            map[string]types.AttributeValue{store.KeyAttribute: &types.AttributeValueMemberS{Value: sub}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("GetItem(%s): %v", sub, err)
	}
	return out.Item
}

// setTimestamp overwrites the string attribute name of sub's item without
// changing the version, as if an earlier write had stored value.
func (ls *localStore) setTimestamp(t *testing.T, sub, name, value string) {
	t.Helper()
	_, err := ls.client.UpdateItem(t.Context(), &dynamodb.UpdateItemInput{
		TableName:                 aws.String(ls.table),
		Key:                       map[string]types.AttributeValue{store.KeyAttribute: &types.AttributeValueMemberS{Value: sub}},
		UpdateExpression:          aws.String("SET #name = :value"),
		ConditionExpression:       aws.String("attribute_exists(#key)"),
		ExpressionAttributeNames:  map[string]string{"#name": name, "#key": store.KeyAttribute},
		ExpressionAttributeValues: map[string]types.AttributeValue{":value": &types.AttributeValueMemberS{Value: value}},
	})
	if err != nil {
		t.Fatalf("UpdateItem(%s) to set %s: %v", sub, name, err)
	}
}

// stringAttribute returns the string value of the attribute name in item.
func stringAttribute(t *testing.T, item map[string]types.AttributeValue, name string) string {
	t.Helper()
	s, ok := item[name].(*types.AttributeValueMemberS)
	if !ok {
		t.Fatalf("attribute %s = %#v, want a string", name, item[name])
	}
	return s.Value
}

// attributeNames returns the sorted attribute names of item.
func attributeNames(item map[string]types.AttributeValue) []string {
	return slices.Sorted(maps.Keys(item))
}

// checkTimestamp fails the test unless the attribute name of item is an
// RFC 3339 timestamp in UTC, written with "Z".
func checkTimestamp(t *testing.T, item map[string]types.AttributeValue, name string) time.Time {
	t.Helper()
	value := stringAttribute(t, item, name)
	got, err := time.Parse(time.RFC3339, value)
	if err != nil {
		t.Errorf("%s = %q, which is not RFC 3339: %v", name, value, err)
		return time.Time{}
	}
	if !strings.HasSuffix(value, "Z") {
		t.Errorf("%s = %q, want a UTC time ending in Z", name, value)
	}
	return got
}

// checkMismatch fails the test unless err is a *profile.VersionMismatchError
// whose Current is want.
func checkMismatch(t *testing.T, err error, want int64) {
	t.Helper()
	var mismatch *profile.VersionMismatchError
	if !errors.As(err, &mismatch) {
		t.Fatalf("error = %v, want a *profile.VersionMismatchError", err)
	}
	if got := mismatch.Current; got != want {
		t.Errorf("VersionMismatchError.Current = %d, want %d", got, want)
	}
	if !errors.Is(err, profile.ErrVersionMismatch) {
		t.Errorf("error = %v, want it to match profile.ErrVersionMismatch", err)
	}
}

func checkNotFound(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, profile.ErrNotFound) {
		t.Fatalf("error = %v, want an error matching profile.ErrNotFound", err)
	}
	if errors.Is(err, profile.ErrVersionMismatch) {
		t.Errorf("error = %v, want it not to match profile.ErrVersionMismatch", err)
	}
}

func TestStore_GetLocalDB(t *testing.T) {
	t.Run("missing", func(t *testing.T) {
		ls := newLocalStore(t)

		got, err := ls.Get(t.Context(), testSub)
		checkNotFound(t, err)
		if got != (profile.Profile{}) {
			t.Errorf("Get() = %+v, want the zero Profile", got)
		}
	})

	t.Run("existing", func(t *testing.T) {
		ls := newLocalStore(t)
		want := ls.create(t, testSub, adaProfile())

		got := ls.mustGet(t, testSub)
		if got != want {
			t.Errorf("Get() = %+v, want the profile that Put returned %+v", got, want)
		}
	})
}

func TestStore_PutLocalDB(t *testing.T) {
	t.Run("creates", func(t *testing.T) {
		ls := newLocalStore(t)
		before := time.Now().UTC().Truncate(time.Second)

		got, created, err := ls.Put(t.Context(), testSub, adaProfile(), profile.Precondition{})
		if err != nil {
			t.Fatalf("Put() error: %v", err)
		}
		if !created {
			t.Errorf("Put() created = false, want true")
		}

		want := adaProfile()
		want.Sub = testSub
		want.Version = 1
		want.CreatedAt = got.CreatedAt
		want.UpdatedAt = got.UpdatedAt
		if got != want {
			t.Errorf("Put() =\n %+v\nwant\n %+v", got, want)
		}
		if !got.CreatedAt.Equal(got.UpdatedAt) {
			t.Errorf("created_at = %v, updated_at = %v, want them equal on create", got.CreatedAt, got.UpdatedAt)
		}
		if got.CreatedAt.Before(before) || got.CreatedAt.After(time.Now().Add(time.Minute)) {
			t.Errorf("created_at = %v, want the time of the request (about %v)", got.CreatedAt, before)
		}

		item := ls.rawItem(t, testSub)
		if sub := stringAttribute(t, item, "sub"); sub != testSub {
			t.Errorf("stored sub = %q, want %q", sub, testSub)
		}
		createdAt := checkTimestamp(t, item, "created_at")
		updatedAt := checkTimestamp(t, item, "updated_at")
		if !createdAt.Equal(got.CreatedAt) {
			t.Errorf("stored created_at = %v, but Put returned %v", createdAt, got.CreatedAt)
		}
		if !updatedAt.Equal(got.UpdatedAt) {
			t.Errorf("stored updated_at = %v, but Put returned %v", updatedAt, got.UpdatedAt)
		}
		ls.checkUnchanged(t, testSub, got)
	})

	t.Run("replaces", func(t *testing.T) {
		ls := newLocalStore(t)
		ls.create(t, testSub, adaProfile())
		ls.setTimestamp(t, testSub, "created_at", oldTime)
		ls.setTimestamp(t, testSub, "updated_at", oldTime)

		replacement := profile.Profile{Name: "Ada Lovelace Example", Email: "lovelace@example.com"}
		got, created, err := ls.Put(t.Context(), testSub, replacement, profile.Precondition{})
		if err != nil {
			t.Fatalf("Put() error: %v", err)
		}
		if created {
			t.Errorf("Put() created = true, want false")
		}
		if got.Version != 2 {
			t.Errorf("version = %d, want 2", got.Version)
		}
		want := replacement
		want.Sub = testSub
		want.Version = 2
		want.CreatedAt = got.CreatedAt
		want.UpdatedAt = got.UpdatedAt
		if got != want {
			t.Errorf("Put() =\n %+v\nwant the replacement, without the optional fields it leaves empty\n %+v", got, want)
		}

		item := ls.rawItem(t, testSub)
		gotNames := attributeNames(item)
		wantNames := []string{"created_at", "email", "name", "sub", "updated_at", "version"}
		if !slices.Equal(gotNames, wantNames) {
			t.Errorf("stored attributes = %v, want %v", gotNames, wantNames)
		}
		if createdAt := stringAttribute(t, item, "created_at"); createdAt != oldTime {
			t.Errorf("stored created_at = %q, want %q kept from the create", createdAt, oldTime)
		}
		if updatedAt := checkTimestamp(t, item, "updated_at"); !updatedAt.After(got.CreatedAt) {
			t.Errorf("stored updated_at = %v, want the time of the replace, after created_at %v", updatedAt, got.CreatedAt)
		}
		ls.checkUnchanged(t, testSub, got)
	})

	t.Run("matching if-match", func(t *testing.T) {
		ls := newLocalStore(t)
		ls.create(t, testSub, adaProfile())

		got, created, err := ls.Put(t.Context(), testSub, profile.Profile{Name: "Ada Example"}, profile.Precondition{IfMatch: []int64{1}})
		if err != nil {
			t.Fatalf("Put() error: %v", err)
		}
		if created {
			t.Errorf("Put() created = true, want false")
		}
		if got.Version != 2 {
			t.Errorf("version = %d, want 2", got.Version)
		}
	})

	t.Run("if-match among several", func(t *testing.T) {
		ls := newLocalStore(t)
		ls.create(t, testSub, adaProfile())

		got, _, err := ls.Put(t.Context(), testSub, adaProfile(), profile.Precondition{IfMatch: []int64{4, 1, 9}})
		if err != nil {
			t.Fatalf("Put() error: %v", err)
		}
		if got.Version != 2 {
			t.Errorf("version = %d, want 2", got.Version)
		}
	})

	t.Run("stale if-match", func(t *testing.T) {
		ls := newLocalStore(t)
		want := ls.createAtVersion2(t, testSub)

		_, _, err := ls.Put(t.Context(), testSub, profile.Profile{Name: "Ada Example"}, profile.Precondition{IfMatch: []int64{1}})
		checkMismatch(t, err, 2)
		ls.checkUnchanged(t, testSub, want)
	})

	t.Run("if-match on missing", func(t *testing.T) {
		ls := newLocalStore(t)

		_, _, err := ls.Put(t.Context(), testSub, adaProfile(), profile.Precondition{IfMatch: []int64{5}})
		checkMismatch(t, err, 0)
		ls.checkAbsent(t, testSub)
	})

	t.Run("if-none-match on existing", func(t *testing.T) {
		ls := newLocalStore(t)
		want := ls.create(t, testSub, adaProfile())

		_, _, err := ls.Put(t.Context(), testSub, profile.Profile{Name: "Ada Example"}, profile.Precondition{IfNoneMatchAny: true})
		checkMismatch(t, err, 1)
		ls.checkUnchanged(t, testSub, want)
	})

	t.Run("if-none-match on missing", func(t *testing.T) {
		ls := newLocalStore(t)

		got, created, err := ls.Put(t.Context(), testSub, adaProfile(), profile.Precondition{IfNoneMatchAny: true})
		if err != nil {
			t.Fatalf("Put() error: %v", err)
		}
		if !created {
			t.Errorf("Put() created = false, want true")
		}
		if got.Version != 1 {
			t.Errorf("version = %d, want 1", got.Version)
		}
		ls.checkUnchanged(t, testSub, got)
	})

	t.Run("if-match any on missing", func(t *testing.T) {
		ls := newLocalStore(t)

		_, _, err := ls.Put(t.Context(), testSub, adaProfile(), profile.Precondition{IfMatchAny: true})
		checkMismatch(t, err, 0)
		ls.checkAbsent(t, testSub)
	})

	t.Run("if-match any on existing", func(t *testing.T) {
		ls := newLocalStore(t)
		ls.create(t, testSub, adaProfile())

		got, created, err := ls.Put(t.Context(), testSub, adaProfile(), profile.Precondition{IfMatchAny: true})
		if err != nil {
			t.Fatalf("Put() error: %v", err)
		}
		if created {
			t.Errorf("Put() created = true, want false")
		}
		if got.Version != 2 {
			t.Errorf("version = %d, want 2", got.Version)
		}
	})

	t.Run("empty if-match on existing", func(t *testing.T) {
		ls := newLocalStore(t)
		want := ls.create(t, testSub, adaProfile())

		_, _, err := ls.Put(t.Context(), testSub, profile.Profile{Name: "Ada Example"}, profile.Precondition{IfMatch: []int64{}})
		checkMismatch(t, err, 1)
		ls.checkUnchanged(t, testSub, want)
	})

	t.Run("empty if-match on missing", func(t *testing.T) {
		ls := newLocalStore(t)

		_, _, err := ls.Put(t.Context(), testSub, adaProfile(), profile.Precondition{IfMatch: []int64{}})
		checkMismatch(t, err, 0)
		ls.checkAbsent(t, testSub)
	})

	t.Run("after delete", func(t *testing.T) {
		ls := newLocalStore(t)
		ls.createAtVersion2(t, testSub)
		ls.setTimestamp(t, testSub, "created_at", oldTime)
		if err := ls.Delete(t.Context(), testSub, profile.Precondition{}); err != nil {
			t.Fatalf("Delete() error: %v", err)
		}

		got, created, err := ls.Put(t.Context(), testSub, adaProfile(), profile.Precondition{})
		if err != nil {
			t.Fatalf("Put() error: %v", err)
		}
		if !created {
			t.Errorf("Put() created = false, want true")
		}
		if got.Version != 1 {
			t.Errorf("version = %d, want 1", got.Version)
		}
		if createdAt := got.CreatedAt.Format(time.RFC3339); createdAt == oldTime {
			t.Errorf("created_at = %s, want a new time, not the one of the erased profile", createdAt)
		}
		if got.Nickname != "ada" {
			t.Errorf("nickname = %q, want %q from the new profile", got.Nickname, "ada")
		}
	})
}

func TestStore_PatchLocalDB(t *testing.T) {
	t.Run("sets and removes", func(t *testing.T) {
		ls := newLocalStore(t)
		before := ls.create(t, testSub, adaProfile())
		ls.setTimestamp(t, testSub, "created_at", oldTime)
		ls.setTimestamp(t, testSub, "updated_at", oldTime)

		changes := []profile.Change{
			{Field: "nickname", Value: "Countess"},
			{Field: "email", Value: "countess@example.com"},
			{Field: "website", Remove: true},
			{Field: "zoneinfo", Remove: true},
		}
		got, err := ls.Patch(t.Context(), testSub, changes, profile.Precondition{})
		if err != nil {
			t.Fatalf("Patch() error: %v", err)
		}

		want := before
		want.Nickname = "Countess"
		want.Email = "countess@example.com"
		want.Website = ""
		want.Zoneinfo = ""
		want.Version = 2
		want.CreatedAt = got.CreatedAt
		want.UpdatedAt = got.UpdatedAt
		if got != want {
			t.Errorf("Patch() =\n %+v\nwant\n %+v", got, want)
		}

		item := ls.rawItem(t, testSub)
		for _, removed := range []string{"website", "zoneinfo"} {
			if _, ok := item[removed]; ok {
				t.Errorf("stored item has %s = %#v, want the attribute removed", removed, item[removed])
			}
		}
		if createdAt := stringAttribute(t, item, "created_at"); createdAt != oldTime {
			t.Errorf("stored created_at = %q, want %q kept", createdAt, oldTime)
		}
		if updatedAt := checkTimestamp(t, item, "updated_at"); updatedAt.Format(time.RFC3339) == oldTime {
			t.Errorf("stored updated_at = %v, want the time of the patch", updatedAt)
		}
		ls.checkUnchanged(t, testSub, got)
	})

	t.Run("remove only", func(t *testing.T) {
		ls := newLocalStore(t)
		ls.create(t, testSub, adaProfile())

		got, err := ls.Patch(t.Context(), testSub, []profile.Change{{Field: "picture", Remove: true}}, profile.Precondition{})
		if err != nil {
			t.Fatalf("Patch() error: %v", err)
		}
		if got.Version != 2 {
			t.Errorf("version = %d, want 2", got.Version)
		}
		if got.Picture != "" {
			t.Errorf("picture = %q, want it removed", got.Picture)
		}
		if got.Name != "Ada Example" {
			t.Errorf("name = %q, want it kept", got.Name)
		}
	})

	t.Run("remove absent field", func(t *testing.T) {
		ls := newLocalStore(t)
		ls.create(t, testSub, profile.Profile{Name: "Ada Example"})

		got, err := ls.Patch(t.Context(), testSub, []profile.Change{{Field: "website", Remove: true}}, profile.Precondition{})
		if err != nil {
			t.Fatalf("Patch() error: %v", err)
		}
		if got.Version != 2 {
			t.Errorf("version = %d, want 2", got.Version)
		}
	})

	t.Run("missing", func(t *testing.T) {
		ls := newLocalStore(t)

		_, err := ls.Patch(t.Context(), testSub, []profile.Change{{Field: "nickname", Value: "Countess"}}, profile.Precondition{})
		checkNotFound(t, err)
		ls.checkAbsent(t, testSub)
	})

	t.Run("if-match on missing", func(t *testing.T) {
		ls := newLocalStore(t)

		_, err := ls.Patch(t.Context(), testSub, []profile.Change{{Field: "nickname", Value: "Countess"}}, profile.Precondition{IfMatch: []int64{1}})
		checkNotFound(t, err)
		ls.checkAbsent(t, testSub)
	})

	t.Run("if-match any on missing", func(t *testing.T) {
		ls := newLocalStore(t)

		_, err := ls.Patch(t.Context(), testSub, []profile.Change{{Field: "nickname", Value: "Countess"}}, profile.Precondition{IfMatchAny: true})
		checkNotFound(t, err)
		ls.checkAbsent(t, testSub)
	})

	t.Run("matching if-match", func(t *testing.T) {
		ls := newLocalStore(t)
		ls.create(t, testSub, adaProfile())

		got, err := ls.Patch(t.Context(), testSub, []profile.Change{{Field: "nickname", Value: "Countess"}}, profile.Precondition{IfMatch: []int64{1}})
		if err != nil {
			t.Fatalf("Patch() error: %v", err)
		}
		if got.Version != 2 {
			t.Errorf("version = %d, want 2", got.Version)
		}
		if got.Nickname != "Countess" {
			t.Errorf("nickname = %q, want %q", got.Nickname, "Countess")
		}
	})

	t.Run("stale if-match", func(t *testing.T) {
		ls := newLocalStore(t)
		want := ls.createAtVersion2(t, testSub)

		_, err := ls.Patch(t.Context(), testSub, []profile.Change{{Field: "nickname", Value: "Enchantress"}}, profile.Precondition{IfMatch: []int64{1}})
		checkMismatch(t, err, 2)
		ls.checkUnchanged(t, testSub, want)
	})

	t.Run("empty if-match", func(t *testing.T) {
		ls := newLocalStore(t)
		want := ls.create(t, testSub, adaProfile())

		_, err := ls.Patch(t.Context(), testSub, []profile.Change{{Field: "nickname", Value: "Countess"}}, profile.Precondition{IfMatch: []int64{}})
		checkMismatch(t, err, 1)
		ls.checkUnchanged(t, testSub, want)
	})

	t.Run("no changes", func(t *testing.T) {
		ls := newLocalStore(t)
		ls.createAtVersion2(t, testSub)
		ls.setTimestamp(t, testSub, "updated_at", oldTime)
		want := ls.mustGet(t, testSub)

		got, err := ls.Patch(t.Context(), testSub, nil, profile.Precondition{})
		if err != nil {
			t.Fatalf("Patch() error: %v", err)
		}
		if got != want {
			t.Errorf("Patch() =\n %+v\nwant the current profile\n %+v", got, want)
		}
		ls.checkUnchanged(t, testSub, want)
		if updatedAt := stringAttribute(t, ls.rawItem(t, testSub), "updated_at"); updatedAt != oldTime {
			t.Errorf("stored updated_at = %q, want %q kept", updatedAt, oldTime)
		}
	})

	t.Run("no changes with matching if-match", func(t *testing.T) {
		ls := newLocalStore(t)
		want := ls.createAtVersion2(t, testSub)

		got, err := ls.Patch(t.Context(), testSub, []profile.Change{}, profile.Precondition{IfMatch: []int64{2}})
		if err != nil {
			t.Fatalf("Patch() error: %v", err)
		}
		if got != want {
			t.Errorf("Patch() =\n %+v\nwant the current profile\n %+v", got, want)
		}
		ls.checkUnchanged(t, testSub, want)
	})

	t.Run("no changes with stale if-match", func(t *testing.T) {
		ls := newLocalStore(t)
		want := ls.createAtVersion2(t, testSub)

		_, err := ls.Patch(t.Context(), testSub, nil, profile.Precondition{IfMatch: []int64{1}})
		checkMismatch(t, err, 2)
		ls.checkUnchanged(t, testSub, want)
	})

	t.Run("no changes on missing", func(t *testing.T) {
		ls := newLocalStore(t)

		_, err := ls.Patch(t.Context(), testSub, nil, profile.Precondition{})
		checkNotFound(t, err)
		ls.checkAbsent(t, testSub)
	})
}

func TestStore_DeleteLocalDB(t *testing.T) {
	t.Run("removes", func(t *testing.T) {
		ls := newLocalStore(t)
		ls.create(t, testSub, adaProfile())

		if err := ls.Delete(t.Context(), testSub, profile.Precondition{}); err != nil {
			t.Fatalf("Delete() error: %v", err)
		}
		ls.checkAbsent(t, testSub)
		if item := ls.rawItem(t, testSub); item != nil {
			t.Errorf("stored item after Delete = %v, want none", item)
		}
	})

	t.Run("missing", func(t *testing.T) {
		ls := newLocalStore(t)

		err := ls.Delete(t.Context(), testSub, profile.Precondition{})
		checkNotFound(t, err)
	})

	t.Run("twice", func(t *testing.T) {
		ls := newLocalStore(t)
		ls.create(t, testSub, adaProfile())
		if err := ls.Delete(t.Context(), testSub, profile.Precondition{}); err != nil {
			t.Fatalf("first Delete() error: %v", err)
		}

		err := ls.Delete(t.Context(), testSub, profile.Precondition{})
		checkNotFound(t, err)
	})

	t.Run("if-match on missing", func(t *testing.T) {
		ls := newLocalStore(t)

		err := ls.Delete(t.Context(), testSub, profile.Precondition{IfMatch: []int64{1}})
		checkNotFound(t, err)
	})

	t.Run("stale if-match", func(t *testing.T) {
		ls := newLocalStore(t)
		want := ls.createAtVersion2(t, testSub)

		err := ls.Delete(t.Context(), testSub, profile.Precondition{IfMatch: []int64{1}})
		checkMismatch(t, err, 2)
		ls.checkUnchanged(t, testSub, want)
	})

	t.Run("empty if-match", func(t *testing.T) {
		ls := newLocalStore(t)
		want := ls.create(t, testSub, adaProfile())

		err := ls.Delete(t.Context(), testSub, profile.Precondition{IfMatch: []int64{}})
		checkMismatch(t, err, 1)
		ls.checkUnchanged(t, testSub, want)
	})

	t.Run("matching if-match", func(t *testing.T) {
		ls := newLocalStore(t)
		ls.createAtVersion2(t, testSub)

		if err := ls.Delete(t.Context(), testSub, profile.Precondition{IfMatch: []int64{2}}); err != nil {
			t.Fatalf("Delete() error: %v", err)
		}
		ls.checkAbsent(t, testSub)
	})

	t.Run("other profile kept", func(t *testing.T) {
		const otherSub = "66666666-7777-8888-9999-000000000000"
		ls := newLocalStore(t)
		ls.create(t, testSub, adaProfile())
		want := ls.create(t, otherSub, profile.Profile{Name: "Grace Example"})

		if err := ls.Delete(t.Context(), testSub, profile.Precondition{}); err != nil {
			t.Fatalf("Delete() error: %v", err)
		}
		ls.checkUnchanged(t, otherSub, want)
	})
}

// concurrentPatches is the number of goroutines that patch one profile at
// the same time.
const concurrentPatches = 20

func TestStore_ConcurrentPatchLocalDB(t *testing.T) {
	t.Run("same if-match", func(t *testing.T) {
		ls := newLocalStore(t)
		ls.create(t, testSub, adaProfile())

		results := make([]profile.Profile, concurrentPatches)
		errs := make([]error, concurrentPatches)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range concurrentPatches {
			wg.Go(func() {
				<-start
				changes := []profile.Change{{Field: "nickname", Value: fmt.Sprintf("Ada %d", i)}}
				results[i], errs[i] = ls.Patch(t.Context(), testSub, changes, profile.Precondition{IfMatch: []int64{1}})
			})
		}
		close(start)
		wg.Wait()

		winner := -1
		for i, err := range errs {
			if err == nil {
				if winner >= 0 {
					t.Errorf("patches %d and %d both succeeded with If-Match [1]", winner, i)
				}
				winner = i
				continue
			}
			var mismatch *profile.VersionMismatchError
			if !errors.As(err, &mismatch) {
				t.Errorf("patch %d error = %v, want a *profile.VersionMismatchError", i, err)
				continue
			}
			if mismatch.Current != 2 {
				t.Errorf("patch %d VersionMismatchError.Current = %d, want 2", i, mismatch.Current)
			}
		}
		if winner < 0 {
			t.Fatalf("no patch succeeded, want exactly one")
		}

		got := ls.mustGet(t, testSub)
		if got.Version != 2 {
			t.Errorf("stored version = %d, want 2", got.Version)
		}
		if want := fmt.Sprintf("Ada %d", winner); got.Nickname != want {
			t.Errorf("stored nickname = %q, want %q from the patch that succeeded", got.Nickname, want)
		}
		if results[winner] != got {
			t.Errorf("Patch() returned %+v, but the stored profile is %+v", results[winner], got)
		}
	})

	t.Run("no precondition", func(t *testing.T) {
		ls := newLocalStore(t)
		ls.create(t, testSub, adaProfile())

		fields := []string{"name", "given_name", "family_name", "nickname"}
		values := make([]string, concurrentPatches)
		results := make([]profile.Profile, concurrentPatches)
		errs := make([]error, concurrentPatches)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range concurrentPatches {
			values[i] = fmt.Sprintf("Ada %d", i)
			wg.Go(func() {
				<-start
				changes := []profile.Change{{Field: fields[i%len(fields)], Value: values[i]}}
				results[i], errs[i] = ls.Patch(t.Context(), testSub, changes, profile.Precondition{})
			})
		}
		close(start)
		wg.Wait()

		for i, err := range errs {
			if err != nil {
				t.Errorf("patch %d error: %v", i, err)
			}
		}
		if t.Failed() {
			t.FailNow()
		}

		// Every write increments the version inside its request, so the
		// returned versions are 2 to 21, each once.
		versions := make([]int64, concurrentPatches)
		for i, r := range results {
			versions[i] = r.Version
		}
		slices.Sort(versions)
		for i, v := range versions {
			if want := int64(i + 2); v != want {
				t.Errorf("returned versions = %v, want each of 2 to %d once", versions, concurrentPatches+1)
				break
			}
		}

		got := ls.mustGet(t, testSub)
		if want := int64(concurrentPatches + 1); got.Version != want {
			t.Errorf("stored version = %d, want %d", got.Version, want)
		}

		// The last write to each field, by version, is the value it keeps.
		lastValue := map[string]string{}
		lastVersion := map[string]int64{}
		for i, r := range results {
			field := fields[i%len(fields)]
			if r.Version > lastVersion[field] {
				lastVersion[field] = r.Version
				lastValue[field] = values[i]
			}
		}
		stored := map[string]string{"name": got.Name, "given_name": got.GivenName, "family_name": got.FamilyName, "nickname": got.Nickname}
		for _, field := range fields {
			if stored[field] != lastValue[field] {
				t.Errorf("stored %s = %q, want %q from the patch that returned version %d", field, stored[field], lastValue[field], lastVersion[field])
			}
		}
	})
}
