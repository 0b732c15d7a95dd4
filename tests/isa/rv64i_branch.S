/*
 * RV64I control transfer (unprivileged spec, "Control Transfer
 * Instructions"): every conditional branch taken and not taken, forward and
 * backward, with signed/unsigned-sensitive operands compared on all 64 bits;
 * jal/jalr link values (pc + 4), jalr clearing bit 0 of the target,
 * jalr with rd == rs1 (the target uses the old rs1), x0 as link register,
 * and branch/jump offsets far from the pc.
 */
#include "test.h"

	/* TEST_BR op, taken, a, b: forward branch */
	.macro TEST_BR op, taken, a, b
	li t1, \a
	li t2, \b
	li t0, 0
	\op t1, t2, .Ltaken\@
	li t0, 2
	j .Ldone\@
.Ltaken\@:
	li t0, 1
.Ldone\@:
	.if \taken
	CHECK t0, 1, "\op \a \b taken"
	.else
	CHECK t0, 2, "\op \a \b not taken"
	.endif
	.endm

	/* TEST_BR_BACK op, taken, a, b: backward branch */
	.macro TEST_BR_BACK op, taken, a, b
	li t1, \a
	li t2, \b
	li t0, 0
	j .Lfirst\@
.Ltarget\@:
	li t0, 1
	j .Ldone\@
.Lfirst\@:
	\op t1, t2, .Ltarget\@
	li t0, 2
.Ldone\@:
	.if \taken
	CHECK t0, 1, "\op \a \b backward taken"
	.else
	CHECK t0, 2, "\op \a \b backward not taken"
	.endif
	.endm

	.macro TEST_BR_BOTH op, taken, a, b
	TEST_BR \op, \taken, \a, \b
	TEST_BR_BACK \op, \taken, \a, \b
	.endm

TEST_BEGIN
	TEST_BR_BOTH beq, 1, 5, 5
	TEST_BR_BOTH beq, 0, 5, 6
	TEST_BR_BOTH beq, 0, 0x100000000, 0
	TEST_BR_BOTH beq, 1, -1, 0xffffffffffffffff
	TEST_BR_BOTH bne, 0, 5, 5
	TEST_BR_BOTH bne, 1, 5, 6
	TEST_BR_BOTH bne, 1, 0x100000000, 0
	TEST_BR_BOTH blt, 1, -1, 1
	TEST_BR_BOTH blt, 0, 1, -1
	TEST_BR_BOTH blt, 0, 3, 3
	TEST_BR_BOTH blt, 1, 0x8000000000000000, 0x7fffffffffffffff
	TEST_BR_BOTH blt, 0, 0x80000000, 0
	TEST_BR_BOTH bge, 0, -1, 1
	TEST_BR_BOTH bge, 1, 1, -1
	TEST_BR_BOTH bge, 1, 3, 3
	TEST_BR_BOTH bge, 0, 0x8000000000000000, 0x7fffffffffffffff
	TEST_BR_BOTH bltu, 0, -1, 1
	TEST_BR_BOTH bltu, 1, 1, -1
	TEST_BR_BOTH bltu, 0, 3, 3
	TEST_BR_BOTH bltu, 1, 0xffffffff, 0x100000000
	TEST_BR_BOTH bltu, 0, 0x8000000000000000, 0x7fffffffffffffff
	TEST_BR_BOTH bgeu, 1, -1, 1
	TEST_BR_BOTH bgeu, 0, 1, -1
	TEST_BR_BOTH bgeu, 1, 3, 3
	TEST_BR_BOTH bgeu, 0, 0xffffffff, 0x100000000
	TEST_BR_BOTH bgeu, 1, 0x8000000000000000, 0x7fffffffffffffff

	/* same register on both sides */
	li t1, -7
	li t0, 0
	beq t1, t1, 1f
	li t0, 1
1:	bne t1, t1, 2f
	blt t1, t1, 2f
	bltu t1, t1, 2f
	bge t1, t1, 3f
	li t0, 2
3:	bgeu t1, t1, 4f
2:	li t0, 3
4:	CHECK t0, 0, "branches with rs1 == rs2"

	/* x0 as an operand */
	li t0, 0
	li t1, -1
	blt x0, t1, 1f
	bltu t1, x0, 1f
	bgeu x0, t1, 1f
	bge t1, x0, 1f
	bltu x0, t1, 2f
1:	li t0, 1
2:	CHECK t0, 0, "branches against x0"

	/* jal: rd = pc + 4; offsets relative to the jal itself */
	li ra, 0
	jal ra, 1f
.Ljal_ret:
	li t0, 1
	j 2f
1:	ld t1, .Ljal_ret_addr
	CHECK_EQ ra, t1, "jal link is pc+4"
	li t0, 0
2:	CHECK t0, 0, "jal jumped"

	li t0, 0
	jal t3, 1f
.Ljal_ret2:
	li t0, 1
1:	mv s2, t0
	ld t1, .Ljal_ret2_addr
	CHECK_EQ t3, t1, "jal link in t3"
	CHECK s2, 0, "jal t3 jumped"

	jal x0, 1f
	li t0, 1
1:	CHECK x0, 0, "jal x0 discards link"

	/* jalr: target = (rs1 + imm) & ~1, rd = pc + 4 */
	ld t1, .Ljalr_t1_addr
	addi t1, t1, 1			/* odd address: bit 0 must be cleared */
	li t0, 0
.Ljalr1:
	jalr ra, 0(t1)
	li t0, 1
.Ljalr_t1:
	mv s2, t0
	ld t1, .Ljalr1_addr
	addi t1, t1, 4
	CHECK_EQ ra, t1, "jalr link is pc+4"
	CHECK s2, 0, "jalr odd target lands on even address"

	ld t1, .Ljalr_t2_addr
	addi t1, t1, -4
	li t0, 0
	jalr ra, 5(t1)			/* target - 4 + 5 = target + 1 */
	li t0, 1
.Ljalr_t2:
	CHECK t0, 0, "jalr positive imm with bit 0 set"

	ld t1, .Ljalr_t3_addr
	addi t1, t1, 4
	li t0, 0
	jalr ra, -3(t1)			/* target + 4 - 3 = target + 1 */
	li t0, 1
.Ljalr_t3:
	CHECK t0, 0, "jalr negative imm with bit 0 set"

	/* rd == rs1: the target comes from the old value */
	ld t1, .Ljalr_t4_addr
	li t0, 0
.Ljalr4:
	jalr t1, 0(t1)
	li t0, 1
.Ljalr_t4:
	mv s2, t1
	CHECK t0, 0, "jalr rd=rs1 jumps to old rs1"
	ld t2, .Ljalr4_addr
	addi t2, t2, 4
	CHECK_EQ s2, t2, "jalr rd=rs1 link"

	/* jalr x0 (ret) */
	ld t1, .Ljalr_t5_addr
	li t0, 0
	jalr x0, 0(t1)
	li t0, 1
.Ljalr_t5:
	CHECK t0, 0, "jalr x0"
	CHECK x0, 0, "jalr x0 discards link"

	/* far targets: branch near the +-4 KiB limit, jal over 64 KiB */
	li t0, 0
	beq x0, x0, .Lfar_b
	li t0, 1
	.rept 1000
	nop
	.endr
.Lfar_b:
	CHECK t0, 0, "beq forward 4004 bytes"
	li t0, 0
	li t1, 2
	j .Lfar_b2_start
.Lfar_b2:
	addi t1, t1, -1
	j .Lfar_b2_done
	.rept 1000
	nop
	.endr
.Lfar_b2_start:
	bnez t1, .Lfar_b2
	li t0, 1
.Lfar_b2_done:
	CHECK t1, 1, "bne backward 4008 bytes"
	li t0, 0
	jal ra, .Lfar_j
	li t0, 1
	.skip 65536			/* never executed */
.Lfar_j:
	CHECK t0, 0, "jal forward 64 KiB"
	li t0, 0
	j .Lfar_j2_start
.Lfar_j2:
	li t0, 7
	j .Lfar_j2_done
	.skip 65536
.Lfar_j2_start:
	jal x0, .Lfar_j2
	li t0, 1
.Lfar_j2_done:
	CHECK t0, 7, "jal backward 64 KiB"
	j .Lend

	.balign 8
.Ljal_ret_addr:	.dword .Ljal_ret
.Ljal_ret2_addr: .dword .Ljal_ret2
.Ljalr_t1_addr:	.dword .Ljalr_t1
.Ljalr1_addr:	.dword .Ljalr1
.Ljalr_t2_addr:	.dword .Ljalr_t2
.Ljalr_t3_addr:	.dword .Ljalr_t3
.Ljalr_t4_addr:	.dword .Ljalr_t4
.Ljalr4_addr:	.dword .Ljalr4
.Ljalr_t5_addr:	.dword .Ljalr_t5
.Lend:
TEST_END
