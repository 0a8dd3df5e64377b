package params

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/eddyserverless/eddy"
)

func errType(err error) string {
	if e := eddy.AsError(err); e != nil {
		return e.Type
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

func TestCheckNewName(t *testing.T) {
	for _, tc := range []struct{ name, typ, msg string }{
		{"plain", "", ""},
		{"/a/b/c", "", ""},
		{"/a_b/c.d/e-f/G9", "", ""},
		{"/" + strings.Repeat("x/", 14) + "y", "", ""},
		{"/" + strings.Repeat("x/", 15) + "y", errHierarchyLevel, msgLevels},
		{"awsThing", errValidation, msgPrefix},
		{"/awsThing", errValidation, msgPrefix},
		{"SSM-test", errValidation, msgPrefix},
		{"/aws/x", errAccessDenied, "No access to reserved parameter name: /aws/x."},
		{"/ssm/x", errValidation, msgInvalidName},
		{"a/b", errValidation, msgQualified},
		{"/a/", errValidation, msgQualified},
		{"/a//b", errValidation, msgInvalidName},
		{"/", errValidation, msgInvalidName},
		{"", errValidation, msgInvalidName},
		{"a b", errValidation, msgInvalidName},
		{"a:b", errValidation, msgInvalidName},
		{"é", errValidation, msgInvalidName},
		{"/" + strings.Repeat("n", 966), "", ""},
		{"/" + strings.Repeat("n", 967), errValidation, ""},
	} {
		err := checkNewName(tc.name, "aws", "us-east-1", "000000000000")
		if errType(err) != tc.typ {
			t.Errorf("%q: got %v, want %s", tc.name, err, tc.typ)
			continue
		}
		if tc.msg != "" && eddy.ErrorMessage(err) != tc.msg {
			t.Errorf("%q: got message %q, want %q", tc.name, eddy.ErrorMessage(err), tc.msg)
		}
	}
}

func TestParseRef(t *testing.T) {
	for _, tc := range []struct {
		in        string
		name, sel string
		version   int64
		label     string
		ok        bool
		foreign   bool
	}{
		{"/a/b", "/a/b", "", 0, "", true, false},
		{"/a/b:3", "/a/b", "3", 3, "", true, false},
		{"/a/b:prod", "/a/b", "prod", 0, "prod", true, false},
		{"/a/b:0", "/a/b", "0", 0, "", false, false},
		{"/a/b:", "/a/b", "", 0, "", false, false},
		{"/a/b:1:2", "/a/b", "", 0, "", false, false},
		{"arn:aws:ssm:us-east-1:000000000000:parameter/a/b", "/a/b", "", 0, "", true, false},
		{"arn:aws:ssm:us-east-1:000000000000:parameter/top:2", "top", "2", 2, "", true, false},
		{"arn:aws:ssm:eu-west-1:000000000000:parameter/a", "a", "", 0, "", true, true},
		{"arn:aws:ssm:us-east-1:111111111111:parameter/a", "a", "", 0, "", true, true},
	} {
		r, ok, err := parseRef(tc.in, "us-east-1", "000000000000")
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if ok != tc.ok || r.Name != tc.name || (ok && (r.Selector != tc.sel || r.Version != tc.version || r.Label != tc.label)) || r.Foreign != tc.foreign {
			t.Errorf("%q: got %+v ok=%v", tc.in, r, ok)
		}
	}
	for _, bad := range []string{"a/b", "{x}", "arn:aws:s3:::bucket", "/a//b:1"} {
		if _, _, err := parseRef(bad, "us-east-1", "000000000000"); errType(err) != errValidation {
			t.Errorf("%q: got %v, want a ValidationException", bad, err)
		}
	}
}

func TestLabels(t *testing.T) {
	for l, want := range map[string]bool{
		"prod": true, "Prod.v1-x_y": true, "a9": true,
		"9a": false, "aws": false, "AWSx": false, "ssmLabel": false, "a/b": false, "a b": false, "": false, "a:b": false,
	} {
		if validLabel(l) != want {
			t.Errorf("%q: got %v", l, !want)
		}
	}
}

func TestARN(t *testing.T) {
	for _, tc := range []struct{ region, name, want string }{
		{"us-east-1", "/a/b", "arn:aws:ssm:us-east-1:000000000000:parameter/a/b"},
		{"us-east-1", "top", "arn:aws:ssm:us-east-1:000000000000:parameter/top"},
		{"cn-north-1", "/x", "arn:aws-cn:ssm:cn-north-1:000000000000:parameter/x"},
		{"us-gov-west-1", "x", "arn:aws-us-gov:ssm:us-gov-west-1:000000000000:parameter/x"},
	} {
		if got := arnOf(partitionOf(tc.region), tc.region, "000000000000", tc.name); got != tc.want {
			t.Errorf("%s %s: got %s", tc.region, tc.name, got)
		}
	}
}

// FuzzCheckNewName checks the name validator against its rules: what it
// accepts has only valid characters, is fully qualified, has at most 15
// levels and an ARN of at most 1,011 characters, does not begin with aws or
// ssm; what it refuses it refuses with one of SSM's errors; and the key and
// ARN of an accepted name are consistent.
func FuzzCheckNewName(f *testing.F) {
	for _, s := range []string{"a", "/a/b", "/", "//", "a/b", "/a/", "awsx", "/aws/x", "/ssm/x", "/" + strings.Repeat("a/", 20),
		"a b", "\x00", "/a/b:1", "/a.b-c_d", "Ssm", "/AwS", strings.Repeat("n", 1100), "é/", "/a\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		err := checkNewName(name, "aws", "us-east-1", "000000000000")
		if err != nil {
			switch errType(err) {
			case errValidation, errAccessDenied, errHierarchyLevel:
			default:
				t.Fatalf("%q: unexpected error %v", name, err)
			}
			if e := eddy.AsError(err); e.Code == eddy.EINTERNAL || e.Message == "" {
				t.Fatalf("%q: error %v", name, err)
			}
			return
		}
		if name == "" || !utf8.ValidString(name) {
			t.Fatalf("%q accepted", name)
		}
		for i := 0; i < len(name); i++ {
			if !nameChar(name[i]) {
				t.Fatalf("%q accepted with %q", name, name[i])
			}
		}
		if strings.Contains(name, "/") && (name[0] != '/' || strings.HasSuffix(name, "/") || strings.Contains(name, "//")) {
			t.Fatalf("%q accepted but not fully qualified", name)
		}
		if levels(name) > maxLevels {
			t.Fatalf("%q accepted with %d levels", name, levels(name))
		}
		lower := strings.ToLower(strings.TrimPrefix(name, "/"))
		if strings.HasPrefix(lower, "aws") || strings.HasPrefix(lower, "ssm") {
			t.Fatalf("%q accepted with a reserved prefix", name)
		}
		arn := arnOf("aws", "us-east-1", "000000000000", name)
		if len(arn) > maxARNLength || strings.Contains(arn, "parameter//") {
			t.Fatalf("%q: ARN %s", name, arn)
		}
		if k := keyOf(name); !strings.HasPrefix(k, "/") || strings.TrimPrefix(k, "/") != strings.TrimPrefix(name, "/") {
			t.Fatalf("%q: key %q", name, k)
		}
		// What is accepted for writing is a valid reference for reading,
		// and refers to itself.
		r, ok, err := parseRef(name, "us-east-1", "000000000000")
		if err != nil || !ok || r.Name != name || r.Selector != "" {
			t.Fatalf("%q: parseRef %+v %v %v", name, r, ok, err)
		}
		if r, ok, err := parseRef(arn, "us-east-1", "000000000000"); err != nil || !ok || keyOf(r.Name) != keyOf(name) || r.Foreign {
			t.Fatalf("%q: parseRef of its ARN %+v %v %v", name, r, ok, err)
		}
		if token(keyOf(name)) == "" || strings.ContainsAny(token(keyOf(name)), ". *>") {
			t.Fatalf("%q: token %q", name, token(keyOf(name)))
		}
	})
}

// FuzzParseRef feeds arbitrary references to the read path's parser: it
// never panics, and what it accepts has a valid name.
func FuzzParseRef(f *testing.F) {
	for _, s := range []string{"a", "a:1", "a:b:c", "arn:aws:ssm:r:a:parameter/x", "arn:", "arn:aws:ssm:::parameter/", ":", "/a:01", "a:99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, ok, err := parseRef(s, "us-east-1", "000000000000")
		if err != nil {
			if errType(err) != errValidation {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if checkName(r.Name) != nil {
			t.Fatalf("%q: accepted name %q", s, r.Name)
		}
		if ok && r.Version < 0 {
			t.Fatalf("%q: version %d", s, r.Version)
		}
	})
}
