package samtemplate

import (
	"fmt"
	"testing"
)

func TestCreateTableInputFollowsTemplate(t *testing.T) {
	t.Parallel()
	tpl, err := LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	in, err := tpl.CreateTableInput("x")
	if err != nil {
		t.Fatal(err)
	}
	if len(in.KeySchema) != 2 || *in.KeySchema[0].AttributeName != "pk" || *in.KeySchema[1].AttributeName != "sk" {
		t.Fatalf("key schema = %+v", in.KeySchema)
	}
	if len(in.GlobalSecondaryIndexes) != 5 {
		t.Fatalf("want 5 GSIs, got %d", len(in.GlobalSecondaryIndexes))
	}
	// The conversation lists hold keys only (gsi2 also inboxId): a message that does not move
	// a conversation in them must not write them (shared/dynamo listSK); nor a contact's
	// conversations (gsi5, search), whose keys never change.
	want := map[string]string{"gsi1": "ALL", "gsi2": "INCLUDE [inboxId]", "gsi3": "KEYS_ONLY", "gsi4": "KEYS_ONLY", "gsi5": "KEYS_ONLY"}
	for _, g := range in.GlobalSecondaryIndexes {
		got := string(g.Projection.ProjectionType)
		if len(g.Projection.NonKeyAttributes) > 0 {
			got += fmt.Sprint(" ", g.Projection.NonKeyAttributes)
		}
		if got != want[*g.IndexName] {
			t.Errorf("%s projects %s, want %s", *g.IndexName, got, want[*g.IndexName])
		}
	}
}

func TestMemoryMB(t *testing.T) {
	tpl, err := LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]int{"RouterFunction": 256, "MediaFunction": 512} {
		if got, err := tpl.MemoryMB(id); err != nil || got != want {
			t.Errorf("MemoryMB(%s) = %d, %v; want %d", id, got, err, want)
		}
	}
	if _, err := tpl.MemoryMB("NoSuchFunction"); err == nil {
		t.Error("MemoryMB of a missing function: no error")
	}
}
