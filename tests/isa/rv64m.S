/*
 * RV64M multiply and divide (unprivileged spec, "M" chapter).
 *
 * Checked from the spec's table of division corner cases: x / 0 = all ones
 * (divu: 2^XLEN - 1), x % 0 = x, the signed overflow -2^(L-1) / -1 =
 * -2^(L-1) with remainder 0; quotients round toward zero and the remainder
 * takes the dividend's sign.  The W forms use the low 32 bits of the
 * operands and sign-extend their 32-bit result, divuw/remuw included.
 * mulh/mulhsu/mulhu return the high 64 bits of the 128-bit product.
 */
#include "test.h"

	.macro BULK_RR op, n=64
	DUMP_BEGIN "\op"
	li s1, \n
.Lbulk\@:
	call rand_operand
	mv s2, a0
	call rand_operand
	\op s3, s2, a0
	DUMP s3
	addi s1, s1, -1
	bnez s1, .Lbulk\@
	.endm

TEST_BEGIN
	TEST_RR mul, 21, 3, 7
	TEST_RR mul, 1, -1, -1
	TEST_RR mul, 0xfffffffffffffffe, 0x7fffffffffffffff, 2
	TEST_RR mul, 0, 0x100000000, 0x100000000
	TEST_RR mul, 0xfffffffe00000001, 0xffffffff, 0xffffffff
	TEST_RR mul, 0x8000000000000000, 0x8000000000000000, -1
	TEST_RR mulh, 0, -1, -1
	TEST_RR mulh, 0x4000000000000000, 0x8000000000000000, 0x8000000000000000
	TEST_RR mulh, 0xffffffffffffffff, 0x8000000000000000, 1
	TEST_RR mulh, 0x3fffffffffffffff, 0x7fffffffffffffff, 0x7fffffffffffffff
	TEST_RR mulh, 1, 0x100000000, 0x100000000
	TEST_RR mulh, 0xffffffffffffffff, -1, 1
	TEST_RR mulh, 0xc000000000000000, 0x8000000000000000, 0x7fffffffffffffff
	TEST_RR mulhu, 0xfffffffffffffffe, -1, -1
	TEST_RR mulhu, 1, 0x8000000000000000, 2
	TEST_RR mulhu, 0, -1, 1
	TEST_RR mulhu, 0x4000000000000000, 0x8000000000000000, 0x8000000000000000
	TEST_RR mulhsu, 0xffffffffffffffff, -1, -1
	TEST_RR mulhsu, 0x8000000000000000, 0x8000000000000000, 0xffffffffffffffff
	TEST_RR mulhsu, 0, 1, -1
	TEST_RR mulhsu, 0xffffffffffffffff, -2, 0x8000000000000000
	TEST_RR mulhsu, 0, 0, -1
	TEST_RR mulw, 0xfffffffffffffffe, 0x7fffffff, 2
	TEST_RR mulw, 15, 0x100000003, 0x100000005
	TEST_RR mulw, 0, 0x10000, 0x10000
	TEST_RR mulw, 0xffffffff80000000, 0x8000, 0x10000
	TEST_RR mulw, 1, 0xffffffff, 0xffffffff

	/* signed division: round toward zero */
	TEST_RR div, 3, 20, 6
	TEST_RR div, -3, -20, 6
	TEST_RR div, -3, 20, -6
	TEST_RR div, 3, -20, -6
	TEST_RR div, 0xffffffffffffffff, 20, 0
	TEST_RR div, 0xffffffffffffffff, -20, 0
	TEST_RR div, 0xffffffffffffffff, 0x8000000000000000, 0
	TEST_RR div, 0x8000000000000000, 0x8000000000000000, -1
	TEST_RR div, 0, 5, 0x7fffffffffffffff
	TEST_RR divu, 3, 20, 6
	TEST_RR divu, 0x2aaaaaaaaaaaaaa7, -20, 6
	TEST_RR divu, 0xffffffffffffffff, 20, 0
	TEST_RR divu, 0xffffffffffffffff, 0, 0
	TEST_RR divu, 0, 0x8000000000000000, -1
	TEST_RR divu, 1, -1, -1
	TEST_RR rem, 2, 20, 6
	TEST_RR rem, -2, -20, 6
	TEST_RR rem, 2, 20, -6
	TEST_RR rem, -2, -20, -6
	TEST_RR rem, 20, 20, 0
	TEST_RR rem, -20, -20, 0
	TEST_RR rem, 0, 0x8000000000000000, -1
	TEST_RR rem, 0x8000000000000000, 0x8000000000000000, 0
	TEST_RR remu, 2, 20, 6
	TEST_RR remu, 2, -20, 6
	TEST_RR remu, 20, 20, 0
	TEST_RR remu, 0xffffffffffffffec, -20, 0
	TEST_RR remu, 0x8000000000000000, 0x8000000000000000, -1

	/* W forms */
	TEST_RR divw, 0xffffffff80000000, 0x80000000, -1
	TEST_RR divw, 0xffffffff80000000, 0x80000000, 0xffffffff
	TEST_RR divw, 0xffffffffffffffff, 20, 0
	TEST_RR divw, 0xffffffffffffffff, 20, 0x100000000
	TEST_RR divw, -3, -20, 6
	TEST_RR divw, 3, 0x100000014, 0x200000006
	TEST_RR divw, 0xffffffffffffffff, 0xffffffff, 1
	TEST_RR divuw, 0xffffffffffffffff, 0xffffffff, 1
	TEST_RR divuw, 0xffffffff80000000, 0x80000000, 1
	TEST_RR divuw, 0xffffffffffffffff, 5, 0
	TEST_RR divuw, 0x2aaaaaa7, -20, 6
	TEST_RR divuw, 0, 0x80000000, 0xffffffff
	TEST_RR remw, -2, -20, 6
	TEST_RR remw, 0xffffffff80000000, 0x180000000, 0
	TEST_RR remw, 0, 0x80000000, -1
	TEST_RR remw, 2, 0xfffffffe00000014, 0x6
	TEST_RR remw, 0x7fffffff, 0x7fffffff, 0x100000000
	TEST_RR remuw, 0xffffffff80000001, 0x80000001, 0
	TEST_RR remuw, 2, 0xffffffec, 6
	TEST_RR remuw, 0xfffffffffffffffe, 0xfffffffe, 0xffffffff
	TEST_RR remuw, 1, 0x80000000, 0x7fffffff

	/* register overlap and x0 */
	TEST_RR_SRC1_EQ_DEST mul, 143, 13, 11
	TEST_RR_SRC2_EQ_DEST div, 1, 13, 11
	TEST_RR_SRC12_EQ_DEST mul, 0xfffffffe00000001, 0xffffffff
	TEST_RR_SRC12_EQ_DEST rem, 0, 0x123456789
	TEST_RR_SRC12_EQ_DEST divu, 1, 0x8000000000000000
	TEST_RR_ZERODEST div, 1, 0
	TEST_RR_ZEROSRC2 div, 0xffffffffffffffff, 7
	TEST_RR_ZEROSRC2 remu, 7, 7
	TEST_RR_ZEROSRC1 mulh, 0, -1

	/* differential: every operation over pseudo-random operands */
	BULK_RR mul
	BULK_RR mulh
	BULK_RR mulhsu
	BULK_RR mulhu
	BULK_RR div
	BULK_RR divu
	BULK_RR rem
	BULK_RR remu
	BULK_RR mulw
	BULK_RR divw
	BULK_RR divuw
	BULK_RR remw
	BULK_RR remuw
TEST_END
