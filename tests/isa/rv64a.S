/*
 * RV64A atomics (unprivileged spec, "A" chapter: Zalrsc and Zaamo).
 *
 * LR/SC, from the spec's rules: lr.w sign-extends; a successful sc writes 0
 * to rd and stores (sc.w only 32 bits); a failed sc writes 1 (the only
 * failure code defined) and does not store; an sc with no reservation fails;
 * every sc, successful or not, invalidates the reservation, so a second sc
 * fails.  A store by the same hart between lr and sc may or may not break
 * the reservation (the spec only requires failure for stores by other
 * harts), so that case checks only that rd and memory agree; its outcome is
 * pinned by the comparison with qemu.
 *
 * AMOs: rd receives the old memory value (.w sign-extended), memory receives
 * op(old, rs2); .w forms use only the low 32 bits of rs2 (which matters for
 * min/max) and touch only their word.
 */
#include "test.h"

	.bss
	.balign 64
mem:	.space 64
	.text

	/* TEST_AMO op, init, src, want_rd, want_mem, offset: 64-bit views */
	.macro TEST_AMO op, init, src, want_rd, want_mem, off=0
	lla s1, mem
	li t1, 0x5a5a5a5a5a5a5a5a
	sd t1, 8(s1)			/* guard dword after the target */
	li t1, \init
	sd t1, 0(s1)
	addi t3, s1, \off
	li t2, \src
	\op t0, t2, (t3)
	CHECK t0, \want_rd, "\op \init \src @\off rd"
	ld t0, 0(s1)
	CHECK t0, \want_mem, "\op \init \src @\off memory"
	ld t0, 8(s1)
	CHECK t0, 0x5a5a5a5a5a5a5a5a, "\op \init \src @\off guard"
	.endm

	.macro BULK_AMO op
	DUMP_BEGIN "\op"
	li s2, 24
.Lbulk\@:
	lla s1, mem
	call rand_operand
	sd a0, 0(s1)
	call rand_operand
	\op a0, a0, (s1)
	call dump_val
	ld a0, 0(s1)
	call dump_val
	addi s2, s2, -1
	bnez s2, .Lbulk\@
	.endm

TEST_BEGIN
	lla s1, mem

	/* sc with no reservation at all (first atomic of the process) fails */
	li t1, 0x1111
	sd t1, 0(s1)
	li t2, 0x2222
	sc.d t0, t2, (s1)
	CHECK t0, 1, "sc.d without lr fails with 1"
	ld t0, 0(s1)
	CHECK t0, 0x1111, "failed sc.d does not store"
	li t2, 0x3333
	sc.w t0, t2, (s1)
	CHECK t0, 1, "sc.w without lr fails with 1"
	ld t0, 0(s1)
	CHECK t0, 0x1111, "failed sc.w does not store"

	/* lr.d/sc.d succeeds in a constrained loop; count retries for qemu */
	li t1, 0x0123456789abcdef
	sd t1, 0(s1)
	li s3, 0			/* retries */
	li s4, 0x7766554433221100
1:	lr.d s5, (s1)
	sc.d s6, s4, (s1)
	beqz s6, 2f
	addi s3, s3, 1
	li t0, 100
	bltu s3, t0, 1b
2:	CHECK s6, 0, "lr.d/sc.d succeeds"
	CHECK s5, 0x0123456789abcdef, "lr.d value"
	ld t0, 0(s1)
	CHECK t0, 0x7766554433221100, "sc.d stored"
	DUMP_BEGIN "lr.d/sc.d retries"
	DUMP s3

	/* the sc consumed the reservation: the next sc fails */
	li t2, 0x99
	sc.d t0, t2, (s1)
	CHECK t0, 1, "second sc.d fails"
	ld t0, 0(s1)
	CHECK t0, 0x7766554433221100, "second sc.d does not store"

	/* lr.w sign-extends; sc.w stores only the low word of rs2 */
	li t1, 0xaaaaaaaa80000001
	sd t1, 0(s1)
	li s3, 0
	li s4, 0x1234567800000002
1:	lr.w s5, (s1)
	sc.w s6, s4, (s1)
	beqz s6, 2f
	addi s3, s3, 1
	li t0, 100
	bltu s3, t0, 1b
2:	CHECK s5, 0xffffffff80000001, "lr.w sign-extends"
	CHECK s6, 0, "lr.w/sc.w succeeds"
	ld t0, 0(s1)
	CHECK t0, 0xaaaaaaaa00000002, "sc.w stores one word"
	DUMP_BEGIN "lr.w/sc.w retries"
	DUMP s3

	/* lr.w/sc.w on the upper word of a dword */
	li t1, 0x7fffffff00000000
	sd t1, 0(s1)
	addi s7, s1, 4
	li s3, 0
	li s4, -1
1:	lr.w s5, (s7)
	sc.w s6, s4, (s7)
	beqz s6, 2f
	addi s3, s3, 1
	li t0, 100
	bltu s3, t0, 1b
2:	CHECK s5, 0x7fffffff, "lr.w upper word"
	CHECK s6, 0, "sc.w upper word succeeds"
	ld t0, 0(s1)
	CHECK t0, 0xffffffff00000000, "sc.w upper word stored"

	/* an sc to another address between lr and sc: the paired sc must fail */
	li t1, 0x10
	sd t1, 0(s1)
	sd t1, 32(s1)
	lr.d s5, (s1)
	li t2, 0x20
	addi t3, s1, 32
	sc.d s6, t2, (t3)		/* may succeed or fail: compared with qemu */
	li t2, 0x30
	sc.d s7, t2, (s1)
	CHECK s7, 1, "sc after an intervening sc fails"
	ld t0, 0(s1)
	CHECK t0, 0x10, "sc after an intervening sc does not store"
	DUMP_BEGIN "sc to another address after lr"
	DUMP s6
	ld a0, 32(s1)
	call dump_val

	/*
	 * A store by this hart to the reserved dword between lr and sc: either
	 * outcome is allowed, but rd and memory must agree.
	 */
	li t1, 0x40
	sd t1, 0(s1)
	lr.d s5, (s1)
	li t1, 0x41
	sd t1, 0(s1)
	li t2, 0x42
	sc.d s6, t2, (s1)
	ld s7, 0(s1)
	li t0, 0x42
	beqz s6, 3f
	li t0, 0x41			/* failed: the intervening store stays */
	li t1, 1
	beq s6, t1, 3f
	li t0, -1			/* neither 0 nor 1: no value can match */
3:	CHECK_EQ s7, t0, "sc after own store: rd and memory agree"
	DUMP_BEGIN "sc after own store"
	DUMP s6

	/* ordering bits decode to the same operations */
	li t1, 5
	sd t1, 0(s1)
	li s3, 0
1:	lr.d.aq s5, (s1)
	addi s5, s5, 1
	sc.d.rl s6, s5, (s1)
	beqz s6, 2f
	addi s3, s3, 1
	li t0, 100
	bltu s3, t0, 1b
2:	CHECK s6, 0, "lr.d.aq/sc.d.rl succeeds"
	ld t0, 0(s1)
	CHECK t0, 6, "lr.d.aq/sc.d.rl increments"
	li s3, 0
1:	lr.w.aqrl s5, (s1)
	addi s5, s5, 1
	sc.w.aqrl s6, s5, (s1)
	beqz s6, 2f
	addi s3, s3, 1
	li t0, 100
	bltu s3, t0, 1b
2:	CHECK s6, 0, "lr.w.aqrl/sc.w.aqrl succeeds"
	ld t0, 0(s1)
	CHECK t0, 7, "lr.w.aqrl/sc.w.aqrl increments"

	/* AMO .w: old value sign-extended in rd, only the word is written */
	TEST_AMO amoswap.w, 0xaaaaaaaa80000000, 0x1234567800000001, 0xffffffff80000000, 0xaaaaaaaa00000001
	TEST_AMO amoswap.w, 0x00000001aaaaaaaa, 0x80000000, 1, 0x80000000aaaaaaaa, 4
	TEST_AMO amoadd.w, 0x555555557fffffff, 1, 0x7fffffff, 0x5555555580000000
	TEST_AMO amoadd.w, 0x55555555ffffffff, 2, 0xffffffffffffffff, 0x5555555500000001
	TEST_AMO amoadd.w, 0xffffffff00000000, 0x100000001, 0xffffffffffffffff, 0x0000000000000000, 4
	TEST_AMO amoxor.w, 0x123456780f0f0f0f, 0xff00ff00, 0x0f0f0f0f, 0x12345678f00ff00f
	TEST_AMO amoand.w, 0x12345678f0f0f0f0, 0x3c3c3c3c, 0xfffffffff0f0f0f0, 0x1234567830303030
	TEST_AMO amoor.w, 0x123456780000ffff, 0x80000000, 0xffff, 0x123456788000ffff
	TEST_AMO amomin.w, 0x1234567800000001, 0xffffffff, 1, 0x12345678ffffffff
	TEST_AMO amomin.w, 0x1234567800000005, 0x100000003, 5, 0x1234567800000003
	TEST_AMO amomin.w, 0x12345678fffffffe, 0x7fffffff, 0xfffffffffffffffe, 0x12345678fffffffe
	TEST_AMO amomax.w, 0x1234567880000000, 0x7fffffff, 0xffffffff80000000, 0x123456787fffffff
	TEST_AMO amomax.w, 0x1234567800000003, 0xffffffff00000002, 3, 0x1234567800000003
	TEST_AMO amominu.w, 0x1234567800000001, 0xffffffff, 1, 0x1234567800000001
	TEST_AMO amominu.w, 0x12345678ffffffff, 0x80000000, 0xffffffffffffffff, 0x1234567880000000
	TEST_AMO amomaxu.w, 0x123456787fffffff, 0x80000000, 0x7fffffff, 0x1234567880000000
	TEST_AMO amomaxu.w, 0x1234567800000003, 0xffffffff00000002, 3, 0x1234567800000003

	/* AMO .d */
	TEST_AMO amoswap.d, 0x1122334455667788, -1, 0x1122334455667788, 0xffffffffffffffff
	TEST_AMO amoadd.d, 0xffffffffffffffff, 1, 0xffffffffffffffff, 0
	TEST_AMO amoadd.d, 0x00000000ffffffff, 1, 0x00000000ffffffff, 0x100000000
	TEST_AMO amoxor.d, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xff00ff00ff00ff00, 0xf0f0f0f0f0f0f0f0
	TEST_AMO amoand.d, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xff00ff00ff00ff00, 0x0f000f000f000f00
	TEST_AMO amoor.d, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xff00ff00ff00ff00, 0xfff0fff0fff0fff0
	TEST_AMO amomin.d, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000, 0x8000000000000000
	TEST_AMO amomin.d, 1, -1, 1, 0xffffffffffffffff
	TEST_AMO amomax.d, -1, 1, 0xffffffffffffffff, 1
	TEST_AMO amomax.d, 0x00000000ffffffff, 0x100000000, 0xffffffff, 0x100000000
	TEST_AMO amominu.d, -1, 1, 0xffffffffffffffff, 1
	TEST_AMO amominu.d, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff
	TEST_AMO amomaxu.d, 1, -1, 1, 0xffffffffffffffff
	TEST_AMO amomaxu.d, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000, 0x8000000000000000

	/* ordering bits, rd = x0, rd = rs2 */
	TEST_AMO amoadd.d.aqrl, 40, 2, 40, 42
	TEST_AMO amoor.w.aq, 0x10, 0x01, 0x10, 0x11
	TEST_AMO amoxor.d.rl, 0x10, 0x11, 0x10, 0x01
	li t1, 100
	sd t1, 0(s1)
	li t2, 11
	amoadd.d x0, t2, (s1)
	ld t0, 0(s1)
	CHECK t0, 111, "amoadd.d rd=x0 still writes memory"
	CHECK x0, 0, "amoadd.d rd=x0 discarded"
	li t1, 0xabc
	sd t1, 0(s1)
	li t2, 0xdef
	amoswap.d t2, t2, (s1)
	mv s3, t2
	ld t0, 0(s1)
	CHECK t0, 0xdef, "amoswap.d rd=rs2 stores the old rs2"
	CHECK s3, 0xabc, "amoswap.d rd=rs2 returns old memory"

	/* differential: every AMO over pseudo-random values */
	BULK_AMO amoswap.w
	BULK_AMO amoadd.w
	BULK_AMO amoxor.w
	BULK_AMO amoand.w
	BULK_AMO amoor.w
	BULK_AMO amomin.w
	BULK_AMO amomax.w
	BULK_AMO amominu.w
	BULK_AMO amomaxu.w
	BULK_AMO amoswap.d
	BULK_AMO amoadd.d
	BULK_AMO amoxor.d
	BULK_AMO amoand.d
	BULK_AMO amoor.d
	BULK_AMO amomin.d
	BULK_AMO amomax.d
	BULK_AMO amominu.d
	BULK_AMO amomaxu.d
TEST_END
