#!/bin/sh
# The portable dispatch: the interpreter built with a plain switch instead
# of computed goto (-DMVM_NO_COMPUTED_GOTO, what a compiler without labels
# as values gets) and run with --no-jit must pass the ISA conformance
# programs exactly as the default build does (they carry their own
# expectations and are compared with qemu-riscv64 by tests/isa).
cd "$(dirname "$0")/../.." || exit 2
B=build/switch
if ! make --no-print-directory -s BUILD=$B SAN= XCFLAGS=-DMVM_NO_COMPUTED_GOTO $B/mvm >$B.log 2>&1; then
    echo "FAIL dispatch/build: $(tail -3 $B.log)"; exit 0
fi
# The computed-goto build has a table of label addresses; this one must not.
if nm $B/rv/interp.o | grep -q 'labels'; then
    echo "FAIL dispatch/build: the switch build still dispatches by computed goto"; exit 0
fi
wrap=$B/mvm-switch
cat > "$wrap" <<SH
#!/bin/sh
shift
exec "$(pwd)/$B/mvm" run --no-jit "\$@"
SH
chmod +x "$wrap"
MVM="$(pwd)/$wrap" tests/isa/run.sh | sed 's|^PASS isa/|PASS dispatch/isa/|; s|^FAIL isa/|FAIL dispatch/isa/|'
