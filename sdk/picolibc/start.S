/*
 * _start for picolibc programs running as Linux user processes.
 *
 * The kernel enters here with sp pointing at the initial stack:
 *   sp -> argc, argv[0..argc-1], NULL, envp[0..], NULL, auxv pairs, AT_NULL
 * (RISC-V psABI, "Process Initialization"). a0 holds no useful value for
 * a static program; everything comes from the stack.
 *
 * gp must be set before any code the linker relaxed to gp-relative
 * addressing runs, and tp before anything touches errno or another TLS
 * variable; both are set here, before the first C instruction.
 */
	.section .text.init.enter, "ax", @progbits
	.globl	_start
	.type	_start, @function
_start:
	.option	push
	.option	norelax
	la	gp, __global_pointer$
	.option	pop
	la	tp, __tls_base
	mv	a0, sp
	andi	sp, sp, -16
	li	ra, 0
	call	__mvm_start
1:	j	1b
	.size	_start, . - _start
