/*
 * Runtime shared by the ISA conformance programs: buffered output to fd 1,
 * result checking, a deterministic PRNG for differential cases, and exit.
 *
 * Only RV64I base instructions are used here (no M, A, F, D, C), so a broken
 * extension cannot hide its own failures by breaking the checker.  Routines
 * follow the standard calling convention: they may clobber ra, t0-t6 and
 * a0-a7; they preserve sp, s0-s11 and every floating-point register.
 */
	.option norvc

	.bss
	.balign 8
out_buf:	.space 4096
out_len:	.dword 0
n_ok:		.dword 0
n_fail:		.dword 0
dump_col:	.dword 0

	.data
	.balign 8
rng_state:	.dword 0x9e3779b97f4a7c15

	.section .rodata
hex_digits:	.ascii "0123456789abcdef"
s_ok:		.asciz "ok "
s_fail:		.asciz "FAIL "
s_got:		.asciz ": got "
s_want:		.asciz " want "
s_flags:	.asciz " flags "
s_sum_ok:	.asciz "# "
s_sum_mid:	.asciz " ok, "
s_sum_end:	.asciz " failed\n"
s_dump:		.asciz "# dump "

	.text
/* out_flush(): write the buffer to fd 1, retrying short writes. */
	.globl out_flush
out_flush:
	lla t0, out_buf
	lla t1, out_len
	ld t2, 0(t1)
1:	beqz t2, 2f
	li a0, 1
	mv a1, t0
	mv a2, t2
	li a7, 64
	ecall
	blez a0, 2f
	add t0, t0, a0
	sub t2, t2, a0
	j 1b
2:	sd zero, 0(t1)
	ret

/* put_char(a0): append one byte, flushing when the buffer is full. */
	.globl put_char
put_char:
	lla t3, out_len
	ld t4, 0(t3)
	lla t5, out_buf
	add t5, t5, t4
	sb a0, 0(t5)
	addi t4, t4, 1
	sd t4, 0(t3)
	li t5, 4096
	bltu t4, t5, 1f
	j out_flush
1:	ret

/* put_str(a0): append a NUL-terminated string. */
	.globl put_str
put_str:
	addi sp, sp, -16
	sd ra, 0(sp)
	sd s0, 8(sp)
	mv s0, a0
1:	lbu a0, 0(s0)
	beqz a0, 2f
	call put_char
	addi s0, s0, 1
	j 1b
2:	ld ra, 0(sp)
	ld s0, 8(sp)
	addi sp, sp, 16
	ret

/* put_hex(a0): append a0 as 16 lower-case hex digits. */
	.globl put_hex
put_hex:
	addi sp, sp, -32
	sd ra, 0(sp)
	sd s0, 8(sp)
	sd s1, 16(sp)
	mv s0, a0
	li s1, 60
1:	srl a0, s0, s1
	andi a0, a0, 15
	lla t0, hex_digits
	add t0, t0, a0
	lbu a0, 0(t0)
	call put_char
	addi s1, s1, -4
	bgez s1, 1b
	ld ra, 0(sp)
	ld s0, 8(sp)
	ld s1, 16(sp)
	addi sp, sp, 32
	ret

/* put_dec(a0): append an unsigned number in decimal (no leading zeros). */
	.globl put_dec
put_dec:
	addi sp, sp, -32
	sd ra, 0(sp)
	sd s0, 8(sp)
	sd s1, 16(sp)
	sd s2, 24(sp)
	mv s0, a0		/* what is left to print */
	lla s1, powers_of_ten
	li s2, 0		/* has a digit been printed yet */
1:	ld t0, 0(s1)
	beqz t0, 4f
	/* M is not trusted here: divide by repeated subtraction */
	li a0, '0'
2:	bltu s0, t0, 3f
	sub s0, s0, t0
	addi a0, a0, 1
	j 2b
3:	addi s1, s1, 8
	li t1, '0'
	bne a0, t1, 5f
	bnez s2, 5f
	ld t0, 0(s1)
	bnez t0, 1b		/* skip a leading zero, but not the last digit */
5:	li s2, 1
	call put_char
	j 1b
4:	ld ra, 0(sp)
	ld s0, 8(sp)
	ld s1, 16(sp)
	ld s2, 24(sp)
	addi sp, sp, 32
	ret

	.section .rodata
	.balign 8
powers_of_ten:
	.dword 10000000000000000000, 1000000000000000000, 100000000000000000
	.dword 10000000000000000, 1000000000000000, 100000000000000
	.dword 10000000000000, 1000000000000, 100000000000, 10000000000
	.dword 1000000000, 100000000, 10000000, 1000000, 100000, 10000
	.dword 1000, 100, 10, 1, 0
	.text

/* put_nl(): append a newline. */
	.globl put_nl
put_nl:
	li a0, '\n'
	j put_char

/*
 * check(a0 = got, a1 = want, a2 = case name): record and report one case.
 * Prints "ok <name> <got>" or "FAIL <name>: got <got> want <want>".
 */
	.globl check
check:
	li a3, 0
	li a4, 0
	li a5, 0
	j check_common

/*
 * check_fp(a0 = got, a1 = want, a2 = name, a3 = got fflags, a4 = want fflags):
 * like check, but the accrued exception flags must match as well.
 */
	.globl check_fp
check_fp:
	li a5, 1
	/* fall through */
check_common:
	addi sp, sp, -64
	sd ra, 0(sp)
	sd s0, 8(sp)
	sd s1, 16(sp)
	sd s2, 24(sp)
	sd s3, 32(sp)
	sd s4, 40(sp)
	sd s5, 48(sp)
	mv s0, a0
	mv s1, a1
	mv s2, a2
	mv s3, a3
	mv s4, a4
	mv s5, a5
	lla t0, dump_col		/* end a pending line of dumped values */
	ld t1, 0(t0)
	sd zero, 0(t0)
	beqz t1, 4f
	call put_nl
4:	bne s0, s1, 1f
	bne s3, s4, 1f
	lla t0, n_ok
	ld t1, 0(t0)
	addi t1, t1, 1
	sd t1, 0(t0)
	lla a0, s_ok
	call put_str
	mv a0, s2
	call put_str
	li a0, ' '
	call put_char
	mv a0, s0
	call put_hex
	beqz s5, 2f
	lla a0, s_flags
	call put_str
	mv a0, s3
	call put_hex
	j 2f
1:	lla t0, n_fail
	ld t1, 0(t0)
	addi t1, t1, 1
	sd t1, 0(t0)
	lla a0, s_fail
	call put_str
	mv a0, s2
	call put_str
	lla a0, s_got
	call put_str
	mv a0, s0
	call put_hex
	beqz s5, 3f
	lla a0, s_flags
	call put_str
	mv a0, s3
	call put_hex
3:	lla a0, s_want
	call put_str
	mv a0, s1
	call put_hex
	beqz s5, 2f
	lla a0, s_flags
	call put_str
	mv a0, s4
	call put_hex
2:	call put_nl
	ld ra, 0(sp)
	ld s0, 8(sp)
	ld s1, 16(sp)
	ld s2, 24(sp)
	ld s3, 32(sp)
	ld s4, 40(sp)
	ld s5, 48(sp)
	addi sp, sp, 64
	ret

/* fail_here(a0 = name): record a failed case that has no value to show. */
	.globl fail_here
fail_here:
	mv a2, a0
	li a0, 0
	li a1, 1
	j check

/* pass_here(a0 = name): record a passed case that has no value to show. */
	.globl pass_here
pass_here:
	mv a2, a0
	li a0, 0
	li a1, 0
	j check

/*
 * rand(): next value of a xorshift64 generator, in a0.  The sequence is
 * fixed, so the differential dumps are the same on every run.
 */
	.globl rand
rand:
	lla t0, rng_state
	ld a0, 0(t0)
	slli t1, a0, 13
	xor a0, a0, t1
	srli t1, a0, 7
	xor a0, a0, t1
	slli t1, a0, 17
	xor a0, a0, t1
	sd a0, 0(t0)
	ret

/*
 * rand_operand(): an operand for differential cases.  One draw in four is
 * a boundary value (0, 1, -1, most negative/positive at 64 and 32 bits, ...)
 * because that is where implementations go wrong; the rest are random with
 * a random number of leading bits cleared or set so that small magnitudes
 * are common too.
 */
	.globl rand_operand
rand_operand:
	addi sp, sp, -16
	sd ra, 0(sp)
	sd s0, 8(sp)
	call rand
	mv s0, a0
	andi t0, s0, 3
	bnez t0, 1f
	srli t0, s0, 2
	andi t0, t0, 15
	slli t0, t0, 3
	lla t1, boundary_values
	add t1, t1, t0
	ld a0, 0(t1)
	j 3f
1:	call rand
	srli t0, s0, 8
	andi t0, t0, 63		/* shift count */
	srli t1, s0, 16
	andi t1, t1, 1		/* sign-extend or zero-extend */
	sll a0, a0, t0
	beqz t1, 2f
	sra a0, a0, t0
	j 3f
2:	srl a0, a0, t0
3:	ld ra, 0(sp)
	ld s0, 8(sp)
	addi sp, sp, 16
	ret

	.section .rodata
	.balign 8
boundary_values:
	.dword 0, 1, -1, 2, -2
	.dword 0x8000000000000000, 0x7fffffffffffffff
	.dword 0xffffffff80000000, 0x000000007fffffff
	.dword 0x0000000080000000, 0x00000000ffffffff
	.dword 0xffffffff7fffffff, 0x0000000100000000
	.dword 31, 32, 63
	.text

/*
 * rand_f32() / rand_f64(): a floating-point bit pattern in a0 for the
 * differential cases.  Special values (zeros, infinities, NaNs, extremes)
 * and subnormals are drawn often; most normals have exponents in a narrow
 * band so that sums cancel and products stay finite, some have short
 * significands so that exact results occur, the rest span every exponent.
 */
	.globl rand_f32
rand_f32:
	addi sp, sp, -16
	sd ra, 0(sp)
	sd s0, 8(sp)
	call rand
	mv s0, a0
	call rand			/* a0: random bits for the significand */
	srli t0, s0, 61
	slli t1, s0, 63			/* sign */
	srli t1, t1, 32
	li t2, 0x7fffff
	and a0, a0, t2
	srli t3, s0, 8
	beqz t0, 1f			/* 1/8: special value */
	li t4, 1
	beq t0, t4, 2f			/* 1/8: subnormal */
	li t4, 2
	beq t0, t4, 3f			/* 1/8: any exponent */
	li t4, 3
	bne t0, t4, 4f
	li t4, 0x780000			/* 1/8: short significand */
	and a0, a0, t4
4:	andi t3, t3, 31			/* exponent 111..142 */
	addi t3, t3, 111
	j 5f
3:	andi t3, t3, 0xff
5:	slli t3, t3, 23
	or a0, a0, t3
2:	or a0, a0, t1
	j 6f
1:	andi t3, t3, 15
	slli t3, t3, 2
	lla t4, special_f32
	add t4, t4, t3
	lwu a0, 0(t4)
6:	ld ra, 0(sp)
	ld s0, 8(sp)
	addi sp, sp, 16
	ret

	.globl rand_f64
rand_f64:
	addi sp, sp, -16
	sd ra, 0(sp)
	sd s0, 8(sp)
	call rand
	mv s0, a0
	call rand
	srli t0, s0, 61
	srli t1, s0, 60
	slli t1, t1, 63			/* sign */
	li t2, -1
	srli t2, t2, 12
	and a0, a0, t2
	srli t3, s0, 8
	beqz t0, 1f
	li t4, 1
	beq t0, t4, 2f
	li t4, 2
	beq t0, t4, 3f
	li t4, 3
	bne t0, t4, 4f
	li t4, 0xf
	slli t4, t4, 48
	and a0, a0, t4
4:	andi t3, t3, 31			/* exponent 1007..1038 */
	addi t3, t3, 1007
	j 5f
3:	andi t3, t3, 0x7ff
5:	slli t3, t3, 52
	or a0, a0, t3
2:	or a0, a0, t1
	j 6f
1:	andi t3, t3, 15
	slli t3, t3, 3
	lla t4, special_f64
	add t4, t4, t3
	ld a0, 0(t4)
6:	ld ra, 0(sp)
	ld s0, 8(sp)
	addi sp, sp, 16
	ret

	.section .rodata
	.balign 8
special_f32:
	.word 0x00000000, 0x80000000, 0x7f800000, 0xff800000
	.word 0x7fc00000, 0x7f800001, 0xffc12345, 0x3f800000
	.word 0xbf800000, 0x00800000, 0x80800000, 0x00000001
	.word 0x807fffff, 0x7f7fffff, 0xff7fffff, 0x4f000000
special_f64:
	.dword 0x0000000000000000, 0x8000000000000000
	.dword 0x7ff0000000000000, 0xfff0000000000000
	.dword 0x7ff8000000000000, 0x7ff0000000000001
	.dword 0xfff8000000012345, 0x3ff0000000000000
	.dword 0xbff0000000000000, 0x0010000000000000
	.dword 0x8010000000000000, 0x0000000000000001
	.dword 0x800fffffffffffff, 0x7fefffffffffffff
	.dword 0xffefffffffffffff, 0x43e0000000000000
	.text

/* dump_begin(a0 = label): start a labelled group of dumped values. */
	.globl dump_begin
dump_begin:
	addi sp, sp, -16
	sd ra, 0(sp)
	sd s0, 8(sp)
	mv s0, a0
	lla t0, dump_col
	ld t1, 0(t0)
	sd zero, 0(t0)
	beqz t1, 1f
	call put_nl
1:	lla a0, s_dump
	call put_str
	mv a0, s0
	call put_str
	call put_nl
	ld ra, 0(sp)
	ld s0, 8(sp)
	addi sp, sp, 16
	ret

/* dump_val(a0): print a value for the differential comparison, 4 a line. */
	.globl dump_val
dump_val:
	addi sp, sp, -16
	sd ra, 0(sp)
	call put_hex
	lla t0, dump_col
	ld t1, 0(t0)
	addi t1, t1, 1
	li t2, 4
	bltu t1, t2, 1f
	li t1, 0
1:	sd t1, 0(t0)
	li a0, ' '
	bnez t1, 2f
	li a0, '\n'
2:	call put_char
	ld ra, 0(sp)
	addi sp, sp, 16
	ret

/*
 * test_done(): print "# <ok> ok, <failed> failed", flush and exit with
 * status 1 if any case failed, 0 otherwise.
 */
	.globl test_done
test_done:
	lla t0, dump_col
	ld t1, 0(t0)
	sd zero, 0(t0)
	beqz t1, 1f
	call put_nl
1:	lla a0, s_sum_ok
	call put_str
	lla t0, n_ok
	ld a0, 0(t0)
	call put_dec
	lla a0, s_sum_mid
	call put_str
	lla t0, n_fail
	ld a0, 0(t0)
	call put_dec
	lla a0, s_sum_end
	call put_str
	call out_flush
	lla t0, n_fail
	ld a0, 0(t0)
	snez a0, a0
	li a7, 94
	ecall
	/* exit_group does not return; if it does, make it loud */
	unimp
