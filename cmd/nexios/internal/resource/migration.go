package resource

import (
	"fmt"
	"reflect"
	"time"

	"github.com/nexios-go/nexios/db"
)

// goTypes are the reflect types of the kinds' Go types.
var goTypes = map[string]reflect.Type{
	"string":    reflect.TypeFor[string](),
	"int64":     reflect.TypeFor[int64](),
	"float64":   reflect.TypeFor[float64](),
	"bool":      reflect.TypeFor[bool](),
	"time.Time": reflect.TypeFor[time.Time](),
}

// ModelType builds, at run time, a struct type with the fields and tags
// of the model the generator writes, so that db.GenerateMigration — the
// data layer's own DDL — writes its migration: the tool cannot import
// the project's model, which does not exist when it runs. Timestamps are
// spelled out as db.Timestamps declares them (a test checks the two
// give the same migration).
func ModelType(s Spec) (reflect.Type, error) {
	fields := []reflect.StructField{
		{Name: "BaseModel", Type: reflect.TypeFor[db.BaseModel](), Anonymous: true,
			Tag: reflect.StructTag(fmt.Sprintf(`bun:"table:%s,alias:%s"`, s.Table(), s.Alias()))},
		{Name: "ID", Type: reflect.TypeFor[int64](), Tag: `bun:",pk,autoincrement" json:"id"`},
	}
	for _, f := range s.Fields {
		t, ok := goTypes[f.Kind.GoType]
		if !ok {
			return nil, fmt.Errorf("resource: no Go type for %s", f.Kind.Name)
		}
		if f.Optional {
			t = reflect.PointerTo(t)
		}
		fields = append(fields, reflect.StructField{Name: f.GoName(), Type: t, Tag: reflect.StructTag(f.Tags())})
	}
	ts := reflect.TypeFor[db.Timestamps]()
	for i := range ts.NumField() {
		sf := ts.Field(i)
		fields = append(fields, reflect.StructField{Name: sf.Name, Type: sf.Type, Tag: sf.Tag})
	}
	return reflect.StructOf(fields), nil
}

// WriteMigration writes the migration that creates the resource's table
// into dir/sqlite and dir/postgres, numbered after the highest version in
// dir, and returns the paths.
func WriteMigration(dir string, s Spec) ([]string, error) {
	t, err := ModelType(s)
	if err != nil {
		return nil, err
	}
	return db.WriteInitialMigration(dir, "create_"+s.Table(), reflect.New(t).Interface())
}
