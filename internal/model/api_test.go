package model

import "testing"

func TestText(t *testing.T) {
	e := Entity{Key: "E1", DeptKey: "D1", GradeKey: "G1"}
	for _, r := range Refs {
		if e.Text(r.Field) == nil {
			t.Errorf("reference field %s is not a text field", r.Field)
		}
	}
	*e.Text("employYmd") = "2024-01-02"
	if e.EmployYmd != "2024-01-02" || *e.Text("deptKey") != "D1" || e.Text("sortOrder") != nil || e.Text("-") != nil {
		t.Errorf("Text does not name the fields by their JSON names: %+v", e)
	}
	if len(Texts) != 13 || Texts[0] != "key" || Texts[12] != "employYmd" {
		t.Errorf("Texts = %v", Texts)
	}
}
