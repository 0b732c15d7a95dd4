// goexec: Go's os/exec from a guest (fork+exec through clone(CLONE_VM |
// CLONE_VFORK), pipes for the child's stdin and stdout, /dev/null, exit
// codes, a missing program). argv[1] is the directory holding this
// binary as the program sees it; the child is the same binary.
package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

func main() {
	if len(os.Args) > 2 && os.Args[1] == "child" {
		in, _ := io.ReadAll(os.Stdin)
		fmt.Printf("child args %q stdin %q\n", os.Args[2:], in)
		os.Exit(len(os.Args))
	}
	self := os.Args[1] + "/goexec"
	var out bytes.Buffer
	cmd := exec.Command(self, "child", "a b", "c")
	cmd.Stdout = &out
	err := cmd.Run()
	fmt.Printf("first: %s", out.String())
	fmt.Printf("exit code %d, error %v\n", cmd.ProcessState.ExitCode(), err != nil)
	cmd = exec.Command(self, "child", "with stdin")
	cmd.Stdin = strings.NewReader("fed through a pipe")
	o, err := cmd.Output()
	fmt.Printf("second: %s", o)
	fmt.Printf("exit code %d\n", cmd.ProcessState.ExitCode())
	_, err = exec.Command(os.Args[1] + "/no-such-program").Output()
	fmt.Printf("a missing program fails: %v\n", err != nil)
}
