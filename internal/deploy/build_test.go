package deploy

import (
	"debug/buildinfo"
	"debug/elf"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuild_Bootstrap runs the Makefile's Lambda builds into temporary
// folders and checks that each gives what Lambda runs on provided.al2023
// on arm64: a static, stripped linux/arm64 executable named bootstrap.
func TestBuild_Bootstrap(t *testing.T) {
	s := loadStack(t)
	function, _ := onlyFunction(t, s)

	tests := []struct {
		name   string
		target string
		dirVar string // the make variable that names the output folder
	}{
		{"make build", "build", "LAMBDA_DIR"},
		{"sam build target", "build-" + function, "ARTIFACTS_DIR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command("make", tt.target, tt.dirVar+"="+dir)
			cmd.Dir = s.root
			cmd.Env = makeEnv()
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("make %s: %v\n%s", tt.target, err, out)
			}

			checkBootstrap(t, filepath.Join(dir, "bootstrap"))
		})
	}
}

func checkBootstrap(t *testing.T, path string) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatalf("open the built bootstrap as ELF: %v", err)
	}
	defer f.Close()

	if f.Class != elf.ELFCLASS64 || f.Machine != elf.EM_AARCH64 {
		t.Errorf("bootstrap is %v %v, want ELFCLASS64 EM_AARCH64 (arm64)", f.Class, f.Machine)
	}
	if f.OSABI != elf.ELFOSABI_NONE && f.OSABI != elf.ELFOSABI_LINUX {
		t.Errorf("bootstrap OSABI = %v, want a Linux executable", f.OSABI)
	}
	if f.Type != elf.ET_EXEC {
		t.Errorf("bootstrap type = %v, want ET_EXEC, a static executable", f.Type)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("bootstrap has a %v program header, so it needs a dynamic loader", p.Type)
		}
	}
	for _, name := range []string{".interp", ".dynamic", ".symtab"} {
		if f.Section(name) != nil {
			t.Errorf("bootstrap has a %s section, want a static, stripped executable", name)
		}
	}
	for _, s := range f.Sections {
		if strings.HasPrefix(s.Name, ".debug_") || strings.HasPrefix(s.Name, ".zdebug_") {
			t.Errorf("bootstrap has DWARF section %s, want none (-ldflags -w)", s.Name)
		}
	}

	checkBuildSettings(t, path)
}

// checkBuildSettings checks the settings that go build records in the
// executable.
func checkBuildSettings(t *testing.T, path string) {
	t.Helper()
	info, err := buildinfo.ReadFile(path)
	if err != nil {
		t.Fatalf("read the Go build information of bootstrap: %v", err)
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}

	want := map[string]string{
		"GOOS":        "linux",
		"GOARCH":      "arm64",
		"CGO_ENABLED": "0",
		"-trimpath":   "true",
		// lambda.norpc leaves out the net/rpc mode that only the retired
		// go1.x runtime used.
		"-tags": "lambda.norpc",
	}
	for key, value := range want {
		if settings[key] != value {
			t.Errorf("bootstrap build setting %s = %q, want %q", key, settings[key], value)
		}
	}
	if info.Path != "github.com/serverless-profile/profile-service/functions/profile" {
		t.Errorf("bootstrap is built from %s, want the functions/profile package", info.Path)
	}
}
