package source

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/orgsync/orgsync/internal/knox"
	"github.com/orgsync/orgsync/internal/model"
)

// Knox reads the organisation from the Knox Suite org lookup API.
type Knox struct {
	Client *knox.Client
	// EmployeeKey is the employee field used as external key: epId
	// (default), employeeNumber or userId.
	EmployeeKey string
	// PositionField is the employee field whose distinct values become the
	// positions (직책): Knox has no position list. Default gradeName (직위명).
	PositionField string
	// Parallel is how many departments' employees are read at once.
	Parallel int
}

// Loads: positions come from employees, so either fetch yields both.
func (k *Knox) Loads(kind model.Kind) []model.Kind {
	if kind == model.Position || kind == model.Employee {
		return []model.Kind{model.Position, model.Employee}
	}
	return []model.Kind{kind}
}

// Fetch streams the records of kind (and of the kinds Loads names).
func (k *Knox) Fetch(ctx context.Context, kind model.Kind, emit model.Emit) error {
	emit = withoutNUL(emit)
	var err error
	switch kind {
	case model.Grade:
		err = k.grades(ctx, emit)
	case model.Department:
		err = k.Client.Organizations(ctx, func(page []knox.Organization) error {
			for _, o := range page {
				e, fe := mapDepartment(o)
				if err := emit(e, fe); err != nil {
					return err
				}
			}
			return nil
		})
	case model.Position, model.Employee:
		err = k.people(ctx, emit)
	default:
		return fmt.Errorf("knox: unknown kind %q", kind)
	}
	return classify(err)
}

// classify turns Knox answers that a retry will not change (4xx, a page
// that is not JSON) into *Error, so the stage fails at once.
func classify(err error) error {
	var ke *knox.Error
	if errors.As(err, &ke) && !ke.Retryable() {
		return &Error{Msg: ke.Error()}
	}
	return err
}

func (k *Knox) grades(ctx context.Context, emit model.Emit) error {
	titles, err := k.Client.Titles(ctx)
	if err != nil {
		return err
	}
	for _, t := range titles {
		e := model.Entity{Kind: model.Grade, Key: t.TitleCode, Name: t.TitleName, I18nNames: en(t.EnTitleName)}
		fe := atoi(&e, "sortOrder", t.SortOrder, &e.SortOrder)
		if err := emit(e, firstErr(fe, e.Validate())); err != nil {
			return err
		}
	}
	return nil
}

func mapDepartment(o knox.Organization) (model.Entity, *model.FieldError) {
	e := model.Entity{Kind: model.Department, Key: o.DepartmentCode, Name: o.DepartmentName,
		I18nNames: en(o.EnDepartmentName), ParentKey: model.ParentKey(o.UprDepartmentCode)}
	fe := atoi(&e, "sortOrder", o.DepartmentOrder, &e.SortOrder)
	return e, firstErr(fe, e.Validate())
}

// people reads every department's employees (a few departments at a time)
// and derives the positions from them.
func (k *Knox) people(ctx context.Context, emit model.Emit) error {
	var depts []string
	err := k.Client.Organizations(ctx, func(page []knox.Organization) error {
		for _, o := range page {
			depts = append(depts, o.DepartmentCode)
		}
		return nil
	})
	if err != nil {
		return err
	}
	var mu sync.Mutex // emit is not safe for concurrent use
	positions := map[string]position{}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(1, k.Parallel))
	for _, d := range depts {
		if strings.TrimSpace(d) == "" {
			continue
		}
		g.Go(func() error {
			return k.Client.Employees(gctx, d, func(page []knox.Employee) error {
				mu.Lock()
				defer mu.Unlock()
				for _, ke := range page {
					e, fe := k.mapEmployee(ke)
					if name := k.positionName(ke); name != "" {
						p := positions[name]
						sort, _ := strconv.Atoi(strings.TrimSpace(ke.TitleSortOrder))
						if p.holders == 0 || sort < p.sort {
							p.sort, p.en = sort, ke.EnGradeName
						}
						p.holders++
						positions[name] = p
					}
					if err := emit(e, fe); err != nil {
						return err
					}
				}
				return nil
			})
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for _, name := range sortedKeys(positions) {
		p := positions[name]
		e := model.Entity{Kind: model.Position, Key: positionKey(name), Name: name, SortOrder: p.sort}
		if k.positionField() == "gradeName" {
			e.I18nNames = en(p.en)
		}
		if err := emit(e, e.Validate()); err != nil {
			return err
		}
	}
	return nil
}

type position struct {
	sort, holders int
	en            string
}

func (k *Knox) mapEmployee(ke knox.Employee) (model.Entity, *model.FieldError) {
	e := model.Entity{
		Kind: model.Employee, Key: k.employeeKey(ke), Name: ke.FullName, I18nNames: en(ke.EnFullName),
		Email: ke.EmailAddress, LoginID: ke.UserID, DeptKey: ke.DepartmentCode, GradeKey: ke.TitleCode,
		Tel: ke.OfficeTelNumber, Mobile: ke.Mobile, Locale: locale(ke.PreferredLanguage), TimeZone: ke.TimeZone,
	}
	if name := k.positionName(ke); name != "" {
		e.PositionKey = positionKey(name)
	}
	return e, e.Validate()
}

func (k *Knox) employeeKey(ke knox.Employee) string {
	switch k.EmployeeKey {
	case "employeeNumber":
		return ke.EmployeeNumber
	case "userId":
		return ke.UserID
	}
	return ke.EpID
}

func (k *Knox) positionField() string {
	if k.PositionField == "" {
		return "gradeName"
	}
	return k.PositionField
}

// positionName reads the configured field (a seed-001 JSON name).
func (k *Knox) positionName(ke knox.Employee) string {
	switch k.positionField() {
	case "jobName":
		return strings.TrimSpace(ke.JobName)
	case "titleName":
		return strings.TrimSpace(ke.TitleName)
	case "description":
		return strings.TrimSpace(ke.Description)
	}
	return strings.TrimSpace(ke.GradeName)
}

// positionKey derives a stable key of at most 36 characters from the
// position's name, since Knox has no code for it.
func positionKey(name string) string { return model.DerivedKey("pos-", name) }

func locale(lang string) string {
	switch strings.ToLower(strings.TrimSpace(lang)) {
	case "ko", "ko_kr", "ko-kr":
		return "ko_KR"
	case "en", "en_us", "en-us":
		return "en_US"
	case "ja", "ja_jp":
		return "ja_JP"
	case "zh", "zh_cn":
		return "zh_CN"
	case "":
		return ""
	}
	return lang // kept, so validation names the unknown value
}

func en(name string) map[string]string {
	if strings.TrimSpace(name) == "" {
		return nil
	}
	return map[string]string{"en_US": name}
}

func atoi(e *model.Entity, field, s string, out *int) *model.FieldError {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return &model.FieldError{Kind: e.Kind, Key: e.Key, Field: field, Reason: fmt.Sprintf("%q is not a whole number", s)}
	}
	*out = n
	return nil
}

func firstErr(errs ...*model.FieldError) *model.FieldError {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// withoutNUL keeps U+0000 out of what is emitted, for every source (Knox
// and files): Postgres text and jsonb cannot store it, so one such
// character would otherwise fail the whole stage's COPY instead of the one
// record. Other control characters reach the record's validation, which
// refuses them naming the field. The character is replaced
// with U+FFFD and the record is reported invalid, naming the field.
func withoutNUL(emit model.Emit) model.Emit {
	return func(e model.Entity, fe *model.FieldError) error {
		field := ""
		scrub := func(name string, s *string) {
			if strings.ContainsRune(*s, 0) {
				*s = strings.ReplaceAll(*s, "\x00", "\uFFFD")
				if field == "" {
					field = name
				}
			}
		}
		for _, f := range model.Texts {
			scrub(f, e.Text(f))
		}
		if len(e.I18nNames) > 0 {
			names := make(map[string]string, len(e.I18nNames))
			for loc, n := range e.I18nNames {
				scrub("i18nNames."+loc, &n)
				names[loc] = n
			}
			e.I18nNames = names
		}
		if field != "" {
			if fe == nil {
				fe = &model.FieldError{Kind: e.Kind, Field: field, Reason: "contains control character U+0000"}
			} else {
				c := *fe
				fe = &c
				scrub(fe.Field, &fe.Reason)
			}
			fe.Key = e.Key
		}
		return emit(e, fe)
	}
}
