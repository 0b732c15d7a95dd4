/*
 * RV64I integer computation: register-register, register-immediate and the
 * 32-bit "W" forms, lui and auipc (unprivileged spec, RV32I/RV64I chapters
 * "Integer Computational Instructions").
 *
 * Points of the spec checked here: 64-bit shifts use the low 6 bits of rs2
 * (W shifts the low 5), every W result is the low 32 bits sign-extended,
 * immediates are sign-extended 12-bit values (so sltiu x, -1 compares with
 * 2^64-1), lui/auipc sign-extend their 32-bit result, writes to x0 are
 * discarded.  The dump section then runs every operation over pseudo-random
 * operands and every shift amount, for comparison with qemu.
 */
#include "test.h"

	.macro BULK_RR op, n=48
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

	.macro BULK_IMM op
	DUMP_BEGIN "\op"
	.irp imm, -2048, -1337, -1, 0, 1, 31, 32, 0x555, 2047
	call rand_operand
	\op s3, a0, \imm
	DUMP s3
	call rand_operand
	\op s3, a0, \imm
	DUMP s3
	.endr
	.endm

	/* every immediate shift amount from 0 to max applied to one value */
	.macro BULK_SHIFT_IMM op, max, value
	DUMP_BEGIN "\op all amounts"
	li s2, \value
	.set .Lsh, 0
	.rept \max + 1
	\op s3, s2, .Lsh
	DUMP s3
	.set .Lsh, .Lsh + 1
	.endr
	.endm

	/* every register shift amount from 0 to 127 (high bits must be ignored) */
	.macro BULK_SHIFT_REG op, value
	DUMP_BEGIN "\op all amounts"
	li s1, 0
.Lshr\@:
	li s2, \value
	\op s3, s2, s1
	DUMP s3
	addi s1, s1, 1
	li t0, 128
	bne s1, t0, .Lshr\@
	.endm

TEST_BEGIN
	/* add / sub: 64-bit wrap-around, no 32-bit truncation */
	TEST_RR add, 2, 1, 1
	TEST_RR add, 0x8000000000000000, 0x7fffffffffffffff, 1
	TEST_RR add, 0, -1, 1
	TEST_RR add, 0x100000000, 0xffffffff, 1
	TEST_RR add, 0xfffffffffffffffe, 0xffffffffffffffff, 0xffffffffffffffff
	TEST_RR sub, 0xffffffffffffffff, 0, 1
	TEST_RR sub, 0x7fffffffffffffff, 0x8000000000000000, 1
	TEST_RR sub, 2, 5, 3
	TEST_RR sub, 0x8000000000000000, 0, 0x8000000000000000

	/* sll / srl / sra: shift amount is rs2[5:0] */
	TEST_RR sll, 0x8000000000000000, 1, 63
	TEST_RR sll, 1, 1, 64
	TEST_RR sll, 2, 1, 65
	TEST_RR sll, 0x8000000000000000, 0x21, -1
	TEST_RR sll, 0x0000123400000000, 0x1234, 32
	TEST_RR sll, 0xfffffffffffffffe, -1, 1
	TEST_RR srl, 1, 0x8000000000000000, 63
	TEST_RR srl, 0x7fffffffffffffff, -1, 1
	TEST_RR srl, 0xffffffffffffffff, -1, 64
	TEST_RR srl, 0x8000000000000000, 0x8000000000000000, 0xffffffffffffffc0
	TEST_RR srl, 0x00000000ffffffff, -1, 32
	TEST_RR sra, 0xffffffffffffffff, 0x8000000000000000, 63
	TEST_RR sra, 0xc000000000000000, 0x8000000000000000, 1
	TEST_RR sra, 1, 0x7fffffffffffffff, 62
	TEST_RR sra, 0xffffffffffffffff, -2, 65
	TEST_RR sra, 0xffffffff80000000, 0x8000000000000000, 32

	/* slt / sltu: signed vs unsigned order */
	TEST_RR slt, 1, -1, 0
	TEST_RR slt, 0, 0, -1
	TEST_RR slt, 0, 1, 1
	TEST_RR slt, 1, 0x8000000000000000, 0x7fffffffffffffff
	TEST_RR slt, 0, 0x7fffffffffffffff, 0x8000000000000000
	TEST_RR sltu, 1, 0, -1
	TEST_RR sltu, 0, -1, 0
	TEST_RR sltu, 1, 0x7fffffffffffffff, 0x8000000000000000
	TEST_RR sltu, 0, 3, 3
	TEST_RR sltu, 1, 0xfffffffe, 0x100000000

	/* logic */
	TEST_RR xor, 0xf0f0f0f0f0f0f0f0, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0
	TEST_RR or,  0xfff0fff0fff0fff0, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0
	TEST_RR and, 0x0f000f000f000f00, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0
	TEST_RR xor, 0, 0x123456789abcdef0, 0x123456789abcdef0

	/* immediates are sign-extended 12-bit values */
	TEST_IMM addi, 0xfffffffffffff800, 0, -2048
	TEST_IMM addi, 0x7ff, 0, 2047
	TEST_IMM addi, 0x8000000000000000, 0x7fffffffffffffff, 1
	TEST_IMM addi, 0x00000000ffffffff, 0x100000000, -1
	TEST_IMM slti, 0, 0, -1
	TEST_IMM slti, 1, -1, 0
	TEST_IMM slti, 1, 0x8000000000000000, -2048
	TEST_IMM slti, 0, 2047, 2047
	TEST_IMM sltiu, 1, 5, -1
	TEST_IMM sltiu, 0, -1, -1
	TEST_IMM sltiu, 1, 0, 1
	TEST_IMM sltiu, 0, 1, 1
	TEST_IMM sltiu, 0, 0x800, 2047
	TEST_IMM sltiu, 1, 0xfffffffffffff000, -2048
	TEST_IMM xori, 0xffffffffff00ff00, 0x00ff00ff, -1
	TEST_IMM xori, 0x0f, 0xff, 0xf0
	TEST_IMM xori, 0x7ffffffffffff800, 0x80000000000007ff, -1
	TEST_IMM ori, 0xfffffffffffff800, 0, -2048
	TEST_IMM ori, 0x1000007ff, 0x100000000, 0x7ff
	TEST_IMM andi, 0xfffffffffffff800, -1, -2048
	TEST_IMM andi, 0x6f0, 0x123456789abcdef0, 0x7ff
	TEST_IMM andi, 0, 0xfffffffffffff000, 0x7ff
	TEST_IMM slli, 0x8000000000000000, 1, 63
	TEST_IMM slli, 0xff00000000000000, 0xff, 56
	TEST_IMM slli, 0x123456789abcdef0, 0x123456789abcdef0, 0
	TEST_IMM slli, 0x0000000100000000, 1, 32
	TEST_IMM srli, 0xf, -1, 60
	TEST_IMM srli, 1, 0x8000000000000000, 63
	TEST_IMM srli, 0x00000000ffffffff, -1, 32
	TEST_IMM srai, 0xfffffffffffffff8, 0x8000000000000000, 60
	TEST_IMM srai, 1, 0x4000000000000000, 62
	TEST_IMM srai, 0xffffffffffffffff, 0x8000000000000000, 63
	TEST_IMM srai, 0xffffffff80000000, 0x8000000000000000, 32

	/* W forms: operate on the low 32 bits, result sign-extended */
	TEST_RR addw, 0xffffffff80000000, 0x7fffffff, 1
	TEST_RR addw, 0, 0xffffffff, 1
	TEST_RR addw, 3, 0xaaaaaaaa00000001, 0x5555555500000002
	TEST_RR addw, 0x7fffffff, 0x80000000, 0xffffffff
	TEST_RR subw, 0xffffffffffffffff, 0, 1
	TEST_RR subw, 0x7fffffff, 0x80000000, 1
	TEST_RR subw, 0xffffffff80000000, 0, 0x80000000
	TEST_RR subw, 0, 0x1234567800000005, 0x8765432100000005
	TEST_RR sllw, 0xffffffff80000000, 1, 31
	TEST_RR sllw, 1, 1, 32
	TEST_RR sllw, 2, 1, 33
	TEST_RR sllw, 1, 0xffffffff00000001, 0
	TEST_RR sllw, 0xffffffff80000000, 3, 31
	TEST_RR sllw, 0xffffffff80000000, 1, -1
	TEST_RR sllw, 0x12340000, 0x1234, 48
	TEST_RR srlw, 1, 0xffffffff80000000, 31
	TEST_RR srlw, 0xffffffffffffffff, -1, 0
	TEST_RR srlw, 0x7fffffff, -1, 1
	TEST_RR srlw, 0xffffffff80000000, 0x80000000, 32
	TEST_RR srlw, 0, 0x100000000, 0
	TEST_RR srlw, 1, 0xffffffff00000010, 4
	TEST_RR srlw, 0x0fffffff, 0xffffffff, 36
	TEST_RR sraw, 0xffffffffffffffff, 0x80000000, 31
	TEST_RR sraw, 0xffffffffc0000000, 0x80000000, 1
	TEST_RR sraw, 1, 0x7fffffff, 30
	TEST_RR sraw, 0xfffffffff8000000, 0x0000000180000000, 4
	TEST_RR sraw, 0xffffffffffffffff, 0x80000000, 63
	TEST_RR sraw, 0x7fffffff, 0xffffffff7fffffff, 0
	TEST_RR sraw, 0x7fffffff, 0xffffffff7fffffff, 32
	TEST_IMM addiw, 0xffffffff80000000, 0x7fffffff, 1
	TEST_IMM addiw, 0xffffffffffffffff, 0xffffffff, 0
	TEST_IMM addiw, 0xffffffffffffffff, 0x100000000, -1
	TEST_IMM addiw, 0xfffffffffffff800, 0, -2048
	TEST_IMM addiw, 0x7fffffff, 0x80000000, -1
	TEST_IMM slliw, 0xffffffff80000000, 1, 31
	TEST_IMM slliw, 0xfffffffffffffff0, 0xffffffff, 4
	TEST_IMM slliw, 1, 0x100000001, 0
	TEST_IMM srliw, 1, 0x80000000, 31
	TEST_IMM srliw, 0xffffffffffffffff, -1, 0
	TEST_IMM srliw, 0x0fffffff, -1, 4
	TEST_IMM srliw, 0x09abcdef, 0x123456789abcdef0, 4
	TEST_IMM sraiw, 0xffffffffffffffff, 0x80000000, 31
	TEST_IMM sraiw, 0xfffffffff9abcdef, 0x123456789abcdef0, 4
	TEST_IMM sraiw, 0x7fffffff, 0x7fffffff, 0
	TEST_IMM sraiw, 0, 0xffffffff7fffffff, 31

	/* register overlap */
	TEST_RR_SRC1_EQ_DEST add, 24, 13, 11
	TEST_RR_SRC2_EQ_DEST sub, 2, 13, 11
	TEST_RR_SRC12_EQ_DEST sub, 0, 0x123456789
	TEST_RR_SRC12_EQ_DEST sll, 0x1000000008, 0x400000002
	TEST_IMM_SRC1_EQ_DEST addi, 0x100000000, 0xffffffff, 1
	TEST_IMM_SRC1_EQ_DEST srai, 0xfffffffffffffff0, 0xf000000000000000, 56

	/* x0: reads zero, writes are discarded */
	TEST_RR_ZERODEST add, 1, 2
	TEST_RR_ZERODEST sub, 1, 2
	TEST_RR_ZEROSRC1 sub, 0xfffffffffffffffb, 5
	TEST_RR_ZEROSRC2 sltu, 0, 5
	TEST_RR_ZEROSRC1 sltu, 1, 5
	TEST_RR_ZEROSRC2 addw, 0xffffffff80000000, 0x80000000
	addi x0, x0, 5
	CHECK x0, 0, "addi x0, x0, 5 discarded"
	lui x0, 0x12345
	CHECK x0, 0, "lui x0 discarded"
	auipc x0, 1
	CHECK x0, 0, "auipc x0 discarded"
	li t1, -1
	addiw x0, t1, 1
	CHECK x0, 0, "addiw x0 discarded"

	/* lui: imm << 12, sign-extended from bit 31 */
	lui t0, 0x80000
	CHECK t0, 0xffffffff80000000, "lui 0x80000"
	lui t0, 0xfffff
	CHECK t0, 0xfffffffffffff000, "lui 0xfffff"
	lui t0, 0x7ffff
	CHECK t0, 0x7ffff000, "lui 0x7ffff"
	lui t0, 1
	CHECK t0, 0x1000, "lui 1"
	lui t0, 0
	CHECK t0, 0, "lui 0"

	/* auipc: pc + sign-extended (imm << 12); link-time addresses compared */
.Lpc0:	auipc t0, 0
	ld t1, .Laddr0
	CHECK_EQ t0, t1, "auipc 0 is pc"
.Lpc1:	auipc t0, 0xfffff
	ld t1, .Laddr1
	li t2, -0x1000
	add t1, t1, t2
	CHECK_EQ t0, t1, "auipc 0xfffff is pc-0x1000"
.Lpc2:	auipc t0, 0x80000
	ld t1, .Laddr2
	li t2, 0xffffffff80000000
	add t1, t1, t2
	CHECK_EQ t0, t1, "auipc 0x80000 is pc-2^31"
.Lpc3:	auipc t0, 0x7ffff
	ld t1, .Laddr3
	li t2, 0x7ffff000
	add t1, t1, t2
	CHECK_EQ t0, t1, "auipc 0x7ffff is pc+0x7ffff000"
	j .Lafter_addrs
	.balign 8
.Laddr0: .dword .Lpc0
.Laddr1: .dword .Lpc1
.Laddr2: .dword .Lpc2
.Laddr3: .dword .Lpc3
.Lafter_addrs:

	/* differential: every operation over pseudo-random operands */
	BULK_RR add
	BULK_RR sub
	BULK_RR sll
	BULK_RR srl
	BULK_RR sra
	BULK_RR slt
	BULK_RR sltu
	BULK_RR xor
	BULK_RR or
	BULK_RR and
	BULK_RR addw
	BULK_RR subw
	BULK_RR sllw
	BULK_RR srlw
	BULK_RR sraw
	BULK_IMM addi
	BULK_IMM slti
	BULK_IMM sltiu
	BULK_IMM xori
	BULK_IMM ori
	BULK_IMM andi
	BULK_IMM addiw
	BULK_SHIFT_IMM slli, 63, 0x8123456789abcdef
	BULK_SHIFT_IMM srli, 63, 0x8123456789abcdef
	BULK_SHIFT_IMM srai, 63, 0x8123456789abcdef
	BULK_SHIFT_IMM slliw, 31, 0x0123456789abcdef
	BULK_SHIFT_IMM srliw, 31, 0x0123456789abcdef
	BULK_SHIFT_IMM sraiw, 31, 0x0123456789abcdef
	BULK_SHIFT_REG sll, 0x8123456789abcdef
	BULK_SHIFT_REG srl, 0x8123456789abcdef
	BULK_SHIFT_REG sra, 0x8123456789abcdef
	BULK_SHIFT_REG sllw, 0x0123456789abcdef
	BULK_SHIFT_REG srlw, 0x0123456789abcdef
	BULK_SHIFT_REG sraw, 0x0123456789abcdef
TEST_END
