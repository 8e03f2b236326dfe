package main

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
)

// functionPackages are the main packages that the benchmark builds, by the
// name that the report gives them.
var functionPackages = []struct{ name, pkg string }{
	{"profile", "./functions/profile"},
	{"hello", "./cmd/bench/hello"},
}

// architectures are the Lambda architectures whose bootstrap is measured.
var architectures = []string{"arm64", "amd64"}

// artifact is one built bootstrap and its deployment package.
type artifact struct {
	function  string // "profile" or "hello"
	arch      string
	bootstrap string // path of the executable
	size      int64  // bytes of the executable
	zipSize   int64  // bytes of the zip that holds it
}

// buildArtifacts builds every function for every architecture into dir,
// as the Makefile builds the deployable bootstrap, and zips each one as
// sam build does.
func buildArtifacts(ctx context.Context, root, dir string) ([]artifact, error) {
	var artifacts []artifact
	for _, f := range functionPackages {
		for _, arch := range architectures {
			a, err := buildArtifact(ctx, root, dir, f.name, f.pkg, arch)
			if err != nil {
				return nil, err
			}
			artifacts = append(artifacts, a)
		}
	}
	return artifacts, nil
}

func buildArtifact(ctx context.Context, root, dir, name, pkg, arch string) (artifact, error) {
	out := filepath.Join(dir, name+"-"+arch, "bootstrap")
	// The flags of GO_LAMBDA_BUILD in the Makefile.
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", out, pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
	if output, err := cmd.CombinedOutput(); err != nil {
		return artifact{}, fmt.Errorf("build %s for linux/%s: %w\n%s", pkg, arch, err, output)
	}
	info, err := os.Stat(out)
	if err != nil {
		return artifact{}, err
	}

	zipPath := filepath.Join(dir, name+"-"+arch+".zip")
	if err := zipBootstrap(out, zipPath); err != nil {
		return artifact{}, err
	}
	zipInfo, err := os.Stat(zipPath)
	if err != nil {
		return artifact{}, err
	}
	return artifact{function: name, arch: arch, bootstrap: out, size: info.Size(), zipSize: zipInfo.Size()}, nil
}

// zipBootstrap writes a deployment package that holds bootstrap as an
// executable file at its root, compressed with deflate.
func zipBootstrap(bootstrap, zipPath string) (err error) {
	in, err := os.Open(bootstrap)
	if err != nil {
		return err
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil {
		return err
	}

	out, err := os.Create(zipPath)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}()

	zw := zip.NewWriter(out)
	header, err := zip.FileInfoHeader(info)
	if err != nil {
		return err
	}
	header.Name = "bootstrap"
	header.Method = zip.Deflate
	header.SetMode(0o755)
	w, err := zw.CreateHeader(header)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, in); err != nil {
		return fmt.Errorf("zip %s: %w", bootstrap, err)
	}
	return zw.Close()
}
