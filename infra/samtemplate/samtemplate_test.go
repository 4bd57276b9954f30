package samtemplate

import "testing"

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
	if len(in.GlobalSecondaryIndexes) != 3 {
		t.Fatalf("want 3 GSIs, got %d", len(in.GlobalSecondaryIndexes))
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
