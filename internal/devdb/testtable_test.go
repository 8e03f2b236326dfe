package devdb

import (
	"fmt"
	"net"
	"runtime"
	"testing"
)

// recordingTB records how NewTestTable ends a test instead of ending the
// real one. Fatalf and Skipf stop the calling goroutine, as the testing
// package's methods do.
type recordingTB struct {
	*testing.T
	fatal   string
	skipped string
}

func (r *recordingTB) Fatalf(format string, args ...any) {
	r.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (r *recordingTB) Skipf(format string, args ...any) {
	r.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestNewTestTableUnreachable(t *testing.T) {
	tests := []struct {
		name      string
		ci        string
		wantFatal bool
	}{
		{name: "skips outside CI", ci: "", wantFatal: false},
		{name: "fails under CI", ci: "true", wantFatal: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("CI", tt.ci)
			t.Setenv("DYNAMODB_ENDPOINT", "http://"+closedLoopbackAddress(t))

			recorder := &recordingTB{T: t}
			done := make(chan struct{})
			go func() {
				defer close(done)
				NewTestTable(recorder)
			}()
			<-done

			if tt.wantFatal {
				if recorder.fatal == "" {
					t.Errorf("NewTestTable did not fail the test with CI=%q", tt.ci)
				}
				if recorder.skipped != "" {
					t.Errorf("NewTestTable skipped with CI=%q: %s", tt.ci, recorder.skipped)
				}
				return
			}
			if recorder.skipped == "" {
				t.Errorf("NewTestTable did not skip the test with CI=%q", tt.ci)
			}
			if recorder.fatal != "" {
				t.Errorf("NewTestTable failed the test with CI=%q: %s", tt.ci, recorder.fatal)
			}
		})
	}
}

// closedLoopbackAddress returns a loopback address on which nothing listens,
// so connections to it are refused at once.
func closedLoopbackAddress(t *testing.T) string {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on loopback: %v", err)
	}
	address := listener.Addr().String()
	if err := listener.Close(); err != nil {
		t.Fatal(err)
	}
	return address
}
