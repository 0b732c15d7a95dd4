/*
 * The C extension on RV64 (unprivileged spec, "C" chapter): every RV64C
 * instruction expands to a base instruction and must compute exactly what
 * that base instruction computes.
 *
 * Part 1 runs each compressed instruction (written with its c. mnemonic)
 * against a hand-worked expectation: immediates sign-extended from 6 bits
 * (c.li, c.addi, c.andi, c.lui's bits 17:12), scaled unsigned offsets for
 * loads/stores and c.addi4spn, c.addi16sp in multiples of 16, c.addiw
 * sign-extending (RV64 has it where RV32 has c.jal), c.jalr linking pc + 2,
 * c.ebreak only on a path not taken.  It also executes 32-bit instructions
 * at addresses that are 2 mod 4, a jump to such an address, and a 32-bit
 * instruction that straddles a page boundary.
 *
 * Part 2 assembles one sequence twice, with .option rvc (the assembler picks
 * compressed forms) and .option norvc, runs both and requires identical
 * results; the rvc copy must really be shorter.
 */
#include "test.h"

	.bss
	.balign 64
out_c:	.space 128
out_i:	.space 128
	.text

/*
 * SEQ: the Part 2 sequence.  In: s0 = output area.  Uses a0-a5, s1, fa0-fa2,
 * 64 bytes below sp.  Only registers and immediates that have compressed
 * encodings are used, so that under rvc nearly everything compresses.
 */
	.macro SEQ
	mv s1, ra
	li a0, 21
	li a1, -9
	lui a2, 0xfffe1
	addi a0, a0, -17
	addiw a1, a1, 30
	slli a2, a2, 3
	srli a2, a2, 1
	srai a1, a1, 2
	andi a0, a0, -13
	mv a3, a2
	add a3, a3, a1
	sub a3, a3, a0
	xor a3, a3, a2
	or a3, a3, a1
	and a3, a3, a2
	addw a1, a1, a0
	subw a0, a0, a1
	sd a0, 0(s0)
	sd a1, 8(s0)
	sw a2, 16(s0)
	sw a3, 20(s0)
	ld a4, 8(s0)
	lw a5, 16(s0)
	sd a4, 24(s0)
	sd a5, 32(s0)
	sd a3, 40(s0)
	addi sp, sp, -64
	addi a5, sp, 8
	sd a0, 8(sp)
	sw a1, 16(sp)
	ld a4, 8(sp)
	lw a2, 16(sp)
	fcvt.d.l fa0, a0
	fsd fa0, 24(sp)
	fld fa1, 24(sp)
	fsd fa1, 48(s0)
	fld fa2, 48(s0)
	fmv.x.d a1, fa2
	sub a5, a5, sp
	addi sp, sp, 64
	sd a4, 56(s0)
	sd a2, 64(s0)
	sd a5, 72(s0)
	sd a1, 80(s0)
	li a3, 0
	beqz a3, 1f
	addi a3, a3, 100
1:	addi a3, a3, 1
	bnez a3, 2f
	addi a3, a3, 100
2:	j 3f
	addi a3, a3, 100
3:	li a4, 3
4:	addi a3, a3, 2
	addi a4, a4, -1
	bnez a4, 4b
	lla a5, 5f
	jr a5
	addi a3, a3, 100
5:	lla a5, 6f
	jalr a5
	j 7f
6:	addi a3, a3, 7
	ret
7:	j 8f
	ebreak
8:	nop
	sd a3, 88(s0)
	mv ra, s1
	.endm

	.option push
	.option rvc
seq_c:
	SEQ
	ret
seq_c_end:
	.option pop

	.option push
	.option norvc
seq_i:
	SEQ
	ret
seq_i_end:
	.option pop

TEST_BEGIN
	.option push
	.option rvc

	/* ---- Part 1: compressed instructions, hand-worked */
	c.li a0, -32
	CHECK a0, 0xffffffffffffffe0, "c.li -32"
	c.li a0, 31
	CHECK a0, 31, "c.li 31"
	c.lui a0, 0xfffe0
	CHECK a0, 0xfffffffffffe0000, "c.lui 0xfffe0"
	c.lui a0, 0xfffff
	CHECK a0, 0xfffffffffffff000, "c.lui 0xfffff"
	c.lui a0, 31
	CHECK a0, 0x1f000, "c.lui 31"
	c.lui s1, 1
	CHECK s1, 0x1000, "c.lui 1"
	li a0, 0
	c.addi a0, -32
	CHECK a0, 0xffffffffffffffe0, "c.addi -32"
	li a0, 0x7fffffffffffffff
	c.addi a0, 1
	CHECK a0, 0x8000000000000000, "c.addi wraps at 64 bits"
	li a0, 0x80000000
	c.addiw a0, -1
	CHECK a0, 0x7fffffff, "c.addiw -1"
	li a0, 0x7fffffff
	c.addiw a0, 1
	CHECK a0, 0xffffffff80000000, "c.addiw sign-extends"
	li a0, 0x12345678ffffffff
	c.addiw a0, 0
	CHECK a0, 0xffffffffffffffff, "c.addiw 0 (sext.w)"
	li a0, 1
	c.slli a0, 63
	CHECK a0, 0x8000000000000000, "c.slli 63"
	li a0, 0x8000000000000000
	c.srli a0, 63
	CHECK a0, 1, "c.srli 63"
	li a0, 0x8000000000000000
	c.srli a0, 32
	CHECK a0, 0x80000000, "c.srli 32"
	li a0, 0x8000000000000000
	c.srai a0, 63
	CHECK a0, 0xffffffffffffffff, "c.srai 63"
	li a0, 0x8000000000000000
	c.srai a0, 1
	CHECK a0, 0xc000000000000000, "c.srai 1"
	li a0, -1
	c.andi a0, -32
	CHECK a0, 0xffffffffffffffe0, "c.andi -32"
	li a0, 0x1234
	c.andi a0, 31
	CHECK a0, 0x14, "c.andi 31"
	li a1, 0x1122334455667788
	c.mv a0, a1
	CHECK a0, 0x1122334455667788, "c.mv"
	li a0, 0xffffffffffffffff
	li a1, 2
	c.add a0, a1
	CHECK a0, 1, "c.add"
	li a0, 0
	li a1, 1
	c.sub a0, a1
	CHECK a0, 0xffffffffffffffff, "c.sub"
	li a0, 0xff00ff00ff00ff00
	li a1, 0x0ff00ff00ff00ff0
	c.xor a0, a1
	CHECK a0, 0xf0f0f0f0f0f0f0f0, "c.xor"
	li a0, 0xff00ff00ff00ff00
	li a1, 0x0ff00ff00ff00ff0
	c.or a0, a1
	CHECK a0, 0xfff0fff0fff0fff0, "c.or"
	li a0, 0xff00ff00ff00ff00
	li a1, 0x0ff00ff00ff00ff0
	c.and a0, a1
	CHECK a0, 0x0f000f000f000f00, "c.and"
	li a0, 0x7fffffff
	li a1, 1
	c.addw a0, a1
	CHECK a0, 0xffffffff80000000, "c.addw sign-extends"
	li a0, 0x80000000
	li a1, 1
	c.subw a0, a1
	CHECK a0, 0x7fffffff, "c.subw"
	li a0, 0x100000000
	li a1, 0x200000000
	c.subw a0, a1
	CHECK a0, 0, "c.subw uses the low words"
	c.nop
	c.addi x0, 0			/* HINT encodings execute as no-ops */
	CHECK x0, 0, "c.nop"

	/* stack-pointer forms */
	mv s2, sp
	c.addi16sp sp, -512
	sub t0, s2, sp
	CHECK t0, 512, "c.addi16sp -512"
	c.addi16sp sp, 496
	sub t0, s2, sp
	CHECK t0, 16, "c.addi16sp 496"
	c.addi16sp sp, -496
	c.addi4spn a0, sp, 1020
	sub t0, a0, sp
	CHECK t0, 1020, "c.addi4spn 1020"
	c.addi4spn a1, sp, 4
	sub t0, a1, sp
	CHECK t0, 4, "c.addi4spn 4"
	li a0, 0x80000000
	c.swsp a0, 252(sp)
	c.lwsp a2, 252(sp)
	CHECK a2, 0xffffffff80000000, "c.swsp/c.lwsp 252 sign-extends"
	li a0, 0x0123456789abcdef
	c.sdsp a0, 504(sp)
	c.ldsp a3, 504(sp)
	CHECK a3, 0x0123456789abcdef, "c.sdsp/c.ldsp 504"
	ld t0, 504(sp)
	CHECK t0, 0x0123456789abcdef, "c.sdsp lands at sp+504"
	li t0, 0x400921fb54442d18
	fmv.d.x ft5, t0
	c.fsdsp ft5, 496(sp)
	c.fldsp ft6, 496(sp)
	fmv.x.d t0, ft6
	CHECK t0, 0x400921fb54442d18, "c.fsdsp/c.fldsp 496"
	/* register-based loads and stores, largest offsets */
	mv s1, sp
	li a0, 0xfedcba9876543210
	c.sd a0, 248(s1)
	c.ld a4, 248(s1)
	CHECK a4, 0xfedcba9876543210, "c.sd/c.ld 248"
	li a0, 0x87654321
	c.sw a0, 124(s1)
	c.lw a5, 124(s1)
	CHECK a5, 0xffffffff87654321, "c.sw/c.lw 124 sign-extends"
	lwu t0, 124(sp)
	CHECK t0, 0x87654321, "c.sw lands at s1+124"
	li t0, 0xc000000000000000
	fmv.d.x fa4, t0
	c.fsd fa4, 8(s1)
	c.fld fa5, 8(s1)
	fmv.x.d t0, fa5
	CHECK t0, 0xc000000000000000, "c.fsd/c.fld 8"
	c.addi16sp sp, 496
	c.addi16sp sp, 16
	sub t0, sp, s2
	CHECK t0, 0, "sp restored"

	/* control transfer */
	li a0, 0
	c.beqz a0, 1f
	li a0, 1
1:	CHECK a0, 0, "c.beqz taken"
	li a0, 5
	c.beqz a0, 2f
	li a0, 6
2:	CHECK a0, 6, "c.beqz not taken"
	li a0, 5
	c.bnez a0, 3f
	li a0, 6
3:	CHECK a0, 5, "c.bnez taken"
	li s3, 0
	li a1, 3
4:	addi s3, s3, 1
	c.addi a1, -1
	c.bnez a1, 4b
	CHECK s3, 3, "c.bnez backward loop"
	li a0, 0
	c.j 5f
	li a0, 1
5:	CHECK a0, 0, "c.j forward"
	li a0, 0
	c.j 7f
6:	li a0, 2
	c.j 8f
7:	c.j 6b
8:	CHECK a0, 2, "c.j backward"
	lla a5, 9f
	li a0, 0
	c.jr a5
	li a0, 1
9:	CHECK a0, 0, "c.jr"
	lla a5, .Lcjalr_target
	li a0, 0
.Lcjalr:
	c.jalr a5
	li a0, 1
	j .Lcjalr_checked
.Lcjalr_target:
	mv s3, ra
	ld t0, .Lcjalr_addr
	addi t0, t0, 2
	CHECK_EQ s3, t0, "c.jalr links pc + 2"
	li a0, 0
.Lcjalr_checked:
	CHECK a0, 0, "c.jalr jumped"
	/* c.ebreak on a path not taken must not trap */
	li a0, 0
	c.beqz a0, 10f
	c.ebreak
10:	c.j 11f
	c.ebreak
11:	CHECK a0, 0, "c.ebreak skipped"

	/* 32-bit instructions at 2 mod 4, and a jump to a 2 mod 4 target */
	c.nop
	.option push
	.option norvc
	lla t0, .Lodd_target
	addi t1, zero, 0
	jalr ra, 0(t0)
	.option pop
	mv s3, t1
	lla t0, .Lodd_target
	andi t0, t0, 3
	CHECK t0, 2, "target is 2 mod 4"
	CHECK s3, 0x55, "jalr to a 2 mod 4 target"

	/* a 32-bit instruction straddling a page boundary */
	lla t0, .Lstraddle
	li t1, 0xfff
	and t0, t0, t1
	CHECK t0, 0xffe, "instruction starts 2 bytes before a page end"
	li a0, 1
	call .Lstraddle
	CHECK a0, 0x124, "straddling instruction executed"

	.option pop

	/* ---- Part 2: the same sequence compressed and not */
	lla s0, out_c
	call seq_c
	lla s0, out_i
	call seq_i
	lla s4, out_c
	lla s5, out_i
	DUMP_BEGIN "sequence results (rvc)"
	li s6, 12
12:	ld a0, 0(s4)
	call dump_val
	addi s4, s4, 8
	addi s6, s6, -1
	bnez s6, 12b
	lla s4, out_c
	li s6, 12
	li s7, 0
13:	ld t0, 0(s4)
	ld t1, 0(s5)
	beq t0, t1, 14f
	addi s7, s7, 1
14:	addi s4, s4, 8
	addi s5, s5, 8
	addi s6, s6, -1
	bnez s6, 13b
	CHECK s7, 0, "rvc and norvc sequences agree"
	lla t0, seq_c
	lla t1, seq_c_end
	sub s3, t1, t0
	lla t0, seq_i
	lla t1, seq_i_end
	sub t1, t1, t0
	sltu t0, s3, t1
	CHECK t0, 1, "rvc sequence is shorter"
	j .Lend

	.balign 8
.Lcjalr_addr: .dword .Lcjalr

	.option push
	.option norvc
	.balign 4
	.2byte 0x0001			/* c.nop: shifts the target to 2 mod 4 */
.Lodd_target:
	addi t1, zero, 0x55
	ret

	.balign 4096
	.skip 4094			/* never executed */
.Lstraddle:
	addi a0, a0, 0x123
	ret
	.option pop
.Lend:
TEST_END
