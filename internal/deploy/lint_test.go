package deploy

import (
	"os"
	"os/exec"
	"testing"
)

// TestTemplate_CFNLint runs cfn-lint, which checks the template against the
// CloudFormation resource specification after the SAM transform, and fails
// on any error or warning. It skips when cfn-lint is not installed, except
// under CI (CI=true), where that is a failure.
func TestTemplate_CFNLint(t *testing.T) {
	s := loadStack(t)
	path, err := exec.LookPath("cfn-lint")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("cfn-lint not found on PATH, and CI=true requires it: install it with pip install cfn-lint")
		}
		t.Skip("cfn-lint not found on PATH, so template.yaml is not linted: install it with pip install cfn-lint")
	}

	cmd := exec.Command(path, "--", "template.yaml")
	cmd.Dir = s.root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("cfn-lint template.yaml: %v\n%s", err, out)
	}
}
