/*
 * Zbs single-bit instructions (RISC-V Bit-Manipulation ISA-extensions,
 * "Zbs"): bclr, bext, binv, bset and their immediate forms.  The register
 * forms use the low 6 bits of rs2 as the bit index.
 * isa-march: rv64gc_zbs
 */
#include "test.h"

	.macro BULK_RR op
	DUMP_BEGIN "\op"
	li s1, 32
.Lbulk\@:
	call rand_operand
	mv s2, a0
	call rand_operand
	\op s3, s2, a0
	DUMP s3
	addi s1, s1, -1
	bnez s1, .Lbulk\@
	.endm

	.macro BULK_IMM op, value
	DUMP_BEGIN "\op all indexes"
	li s2, \value
	.set .Lsh, 0
	.rept 64
	\op s3, s2, .Lsh
	DUMP s3
	.set .Lsh, .Lsh + 1
	.endr
	.endm

TEST_BEGIN
	TEST_RR bclr, 0x7fffffffffffffff, -1, 63
	TEST_RR bclr, 0xfffffffffffffffe, -1, 64
	TEST_RR bclr, 0x10, 0x10, 3
	TEST_IMM bclri, 0xfffffffeffffffff, -1, 32
	TEST_IMM bclri, 0, 0x8000000000000000, 63
	TEST_RR bext, 1, 0x8000000000000000, 63
	TEST_RR bext, 1, 0x10, 4
	TEST_RR bext, 1, 0x10, 68
	TEST_RR bext, 0, 0x10, 5
	TEST_IMM bexti, 0, 0x10, 3
	TEST_IMM bexti, 1, 0x100000000, 32
	TEST_RR binv, 0x8000000000000000, 0, 63
	TEST_RR binv, 0, 0x8000000000000000, 127
	TEST_IMM binvi, 4, 5, 0
	TEST_IMM binvi, 0xffffffff7fffffff, -1, 31
	TEST_RR bset, 0x100000000, 0, 32
	TEST_RR bset, 0x100000000, 0, 96
	TEST_RR bset, 0x10, 0x10, 4
	TEST_IMM bseti, 0x8000000000000000, 0, 63
	TEST_IMM bseti, 0x80000000, 0, 31
	TEST_RR_SRC12_EQ_DEST bset, 0xb, 3
	TEST_RR_ZEROSRC1 bset, 0x1, 64

	BULK_RR bclr
	BULK_RR bext
	BULK_RR binv
	BULK_RR bset
	BULK_IMM bclri, 0xf0f0f0f0f0f0f0f0
	BULK_IMM bexti, 0xf0f0f0f0f0f0f0f0
	BULK_IMM binvi, 0xf0f0f0f0f0f0f0f0
	BULK_IMM bseti, 0xf0f0f0f0f0f0f0f0
TEST_END
