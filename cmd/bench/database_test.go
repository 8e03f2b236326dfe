package main

import (
	"testing"

	"github.com/serverless-profile/profile-service/internal/devdb"
	"github.com/serverless-profile/profile-service/internal/store"
)

// TestDirectRequestsLocalDB checks that the database-alone requests write
// what the function writes for the sample events. The PUT creates the
// normalised profile at version 1. The PATCH sets the nickname, removes
// the website and raises the version. The GET reads the item.
func TestDirectRequestsLocalDB(t *testing.T) {
	client, table := devdb.NewTestTable(t)
	root, err := devdb.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	events, err := readEvents(root)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := eventSub(events["GET"])
	if err != nil {
		t.Fatal(err)
	}
	putBody, err := eventBody(events["PUT"])
	if err != nil {
		t.Fatal(err)
	}
	patchBody, err := eventBody(events["PATCH"])
	if err != nil {
		t.Fatal(err)
	}
	direct, err := newDirectRequests(client, table, sub, putBody, patchBody)
	if err != nil {
		t.Fatal(err)
	}
	profiles := store.New(client, table)

	if _, err := direct.send(t.Context(), "PUT"); err != nil {
		t.Fatal(err)
	}
	created, err := profiles.Get(t.Context(), sub)
	if err != nil {
		t.Fatalf("read the profile after the PUT: %v", err)
	}
	if created.Version != 1 || created.Email != "Ada@example.com" || created.PhoneNumber != "+442079460018" || created.Website == "" {
		t.Errorf("after the PUT: %+v, want the normalised sample profile at version 1", created)
	}

	if _, err := direct.send(t.Context(), "PATCH"); err != nil {
		t.Fatal(err)
	}
	patched, err := profiles.Get(t.Context(), sub)
	if err != nil {
		t.Fatalf("read the profile after the PATCH: %v", err)
	}
	if patched.Version != 2 || patched.Nickname != "Enchantress of Numbers" || patched.Website != "" || !patched.CreatedAt.Equal(created.CreatedAt) {
		t.Errorf("after the PATCH: %+v, want version 2, the new nickname, no website and the same created_at", patched)
	}

	if _, err := direct.send(t.Context(), "GET"); err != nil {
		t.Errorf("GET: %v", err)
	}
}
