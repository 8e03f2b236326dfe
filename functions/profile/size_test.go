package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestBootstrap_NoSharedConfigLoader checks that the function does not link
// the SDK's shared configuration loader and the credential services it pulls
// in, which Lambda never uses and which made the bootstrap 2.1 MB larger.
func TestBootstrap_NoSharedConfigLoader(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-tags", "lambda.norpc", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))

	for _, unwanted := range []string{
		"github.com/aws/aws-sdk-go-v2/config",
		"github.com/aws/aws-sdk-go-v2/feature/ec2/imds",
		"github.com/aws/aws-sdk-go-v2/service/sso",
		"github.com/aws/aws-sdk-go-v2/service/ssooidc",
		"github.com/aws/aws-sdk-go-v2/service/sts",
		"github.com/aws/aws-sdk-go-v2/service/signin",
	} {
		if slices.Contains(deps, unwanted) {
			t.Errorf("the function depends on %s; build the AWS configuration with app.AWSConfig instead", unwanted)
		}
	}
}

// TestBootstrap_DeadCodeElimination checks that no reachable function calls
// reflect's Method or MethodByName with a name unknown at compile time.
// Such a call makes the linker keep every exported method of every type
// that is converted to an interface, which kept all of the DynamoDB
// client's operations in the bootstrap and made it 3.5 MB larger.
func TestBootstrap_DeadCodeElimination(t *testing.T) {
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-ldflags=-dumpdep", "-o", filepath.Join(t.TempDir(), "bootstrap"), ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	var dump bytes.Buffer
	cmd.Stderr = &dump
	if err := cmd.Run(); err != nil {
		t.Fatalf("go build -ldflags=-dumpdep: %v\n%s", err, tail(dump.String(), 20))
	}

	// Each line of the dump is "from -> to", with <ReflectMethod> after a
	// symbol that disables the elimination of unused methods.
	var culprits []string
	scanner := bufio.NewScanner(&dump)
	scanner.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for scanner.Scan() {
		if line := scanner.Text(); strings.Contains(line, "<ReflectMethod>") && len(culprits) < 10 {
			culprits = append(culprits, line)
		}
	}
	if err := scanner.Err(); err != nil {
		t.Fatalf("read the linker's dump: %v", err)
	}
	if len(culprits) > 0 {
		// With Go 1.26, a constant MethodByName("Methods") has this effect
		// too, because it keeps reflect's Methods iterators. That call in
		// google.golang.org/protobuf before v1.36.12 was the cause once.
		t.Errorf("the linker keeps every exported method, because of these edges of go build -ldflags=-dumpdep "+
			"(github.com/aarzilli/whydeadcode shows the callers):\n%s", strings.Join(culprits, "\n"))
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
