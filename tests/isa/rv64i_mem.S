/*
 * RV64I loads and stores (unprivileged spec, "Load and Store Instructions"):
 * little-endian byte order, sign extension by lb/lh/lw versus zero extension
 * by lbu/lhu/lwu, stores touching only their own bytes, 12-bit signed
 * offsets, loads into x0, and misaligned accesses.  The spec lets an
 * execution environment trap or emulate misaligned accesses; Linux user space
 * always sees them succeed, both inside a page and across a page boundary,
 * so that is what is required here.  fence/fence.tso must execute as no-ops
 * for a single hart.
 */
#include "test.h"

	.bss
	.balign 4096
buf:	.space 8192		/* two pages, page-aligned */

	.data
	.balign 8
pattern:
	.dword 0x8877665544332211
	.dword 0xf0e0d0c0b0a09080

	.text
/* fill_buf(): byte i of buf = (i + 0x80) & 0xff, so buf[4094] = 0x7e etc. */
fill_buf:
	lla t0, buf
	li t1, 0
	li t2, 8192
1:	addi t3, t1, 0x80
	add t4, t0, t1
	sb t3, 0(t4)
	addi t1, t1, 1
	bne t1, t2, 1b
	ret

	/* LOAD op, want, offset: op t0, offset(s0) with s0 = pattern */
	.macro LOAD op, want, off
	\op t0, \off(s0)
	CHECK t0, \want, "\op pattern+\off"
	.endm

	/* LOADB op, want, offset: op t0, offset(s1) with s1 = buf (filled) */
	.macro LOADB op, want, off
	li t1, \off
	add t1, t1, s1
	\op t0, 0(t1)
	CHECK t0, \want, "\op buf+\off"
	.endm

	/* DWORD_AT want, offset: check the aligned dword at buf+offset */
	.macro DWORD_AT want, off, what
	li t1, \off
	add t1, t1, s1
	ld t0, 0(t1)
	CHECK t0, \want, "\what: dword at buf+\off"
	.endm

TEST_BEGIN
	lla s0, pattern
	lla s1, buf

	/* little-endian, sign vs zero extension */
	LOAD ld,  0x8877665544332211, 0
	LOAD ld,  0xf0e0d0c0b0a09080, 8
	LOAD lb,  0x11, 0
	LOAD lb,  0x44, 3
	LOAD lb,  0xffffffffffffff88, 7
	LOAD lbu, 0x88, 7
	LOAD lb,  0xffffffffffffff80, 8
	LOAD lbu, 0x80, 8
	LOAD lh,  0x2211, 0
	LOAD lh,  0xffffffffffff8877, 6
	LOAD lhu, 0x8877, 6
	LOAD lh,  0xffffffffffff9080, 8
	LOAD lhu, 0x9080, 8
	LOAD lw,  0x44332211, 0
	LOAD lwu, 0x44332211, 0
	LOAD lw,  0xffffffff88776655, 4
	LOAD lwu, 0x88776655, 4
	LOAD lw,  0xffffffffb0a09080, 8
	LOAD lwu, 0xb0a09080, 8
	LOAD lw,  0xfffffffff0e0d0c0, 12
	LOAD lwu, 0xf0e0d0c0, 12

	/* negative offsets and the 12-bit offset range */
	addi s2, s0, 16
	lb t0, -1(s2)
	CHECK t0, 0xfffffffffffffff0, "lb -1(end)"
	lhu t0, -16(s2)
	CHECK t0, 0x2211, "lhu -16(end)"
	li t0, 2048
	add s2, s1, t0
	li t1, 0x0102030405060708
	sd t1, -2048(s2)
	ld t0, 0(s1)
	CHECK t0, 0x0102030405060708, "sd -2048 offset"
	li t1, 0x5a
	sb t1, 2047(s2)
	lbu t0, 2047(s2)
	CHECK t0, 0x5a, "sb/lbu 2047 offset"
	li t0, 4095
	add t0, t0, s1
	lbu t0, 0(t0)
	CHECK t0, 0x5a, "sb 2047 offset lands at buf+4095"

	/* stores write exactly their own bytes */
	sd zero, 0(s1)
	li t1, 0xabcd
	sb t1, 1(s1)
	ld t0, 0(s1)
	CHECK t0, 0xcd00, "sb writes one byte"
	sd zero, 0(s1)
	li t1, 0x12345678
	sh t1, 2(s1)
	ld t0, 0(s1)
	CHECK t0, 0x0000000056780000, "sh writes two bytes"
	li t1, -1
	sd t1, 0(s1)
	li t1, 0xdeadbeef
	sw t1, 4(s1)
	ld t0, 0(s1)
	CHECK t0, 0xdeadbeefffffffff, "sw writes four bytes"
	li t1, 0x1122334455667788
	sd t1, 8(s1)
	ld t0, 8(s1)
	CHECK t0, 0x1122334455667788, "sd/ld round trip"
	lwu t0, 12(s1)
	CHECK t0, 0x11223344, "sd high word"

	/* register overlap and x0 */
	mv t1, s0
	ld t1, 0(t1)
	CHECK t1, 0x8877665544332211, "ld rd=rs1"
	mv t1, s1
	sd t1, 0(t1)
	ld t0, 0(s1)
	CHECK_EQ t0, s1, "sd rs1=rs2 stores the address"
	ld x0, 0(s0)
	CHECK x0, 0, "ld x0 discarded"
	lw x0, 4(s0)
	CHECK x0, 0, "lw x0 discarded"
	sd x0, 0(s1)
	ld t0, 0(s1)
	CHECK t0, 0, "sd x0 stores zero"

	/* misaligned loads inside a page */
	call fill_buf
	LOADB lh,  0xffffffffffff8281, 1
	LOADB lhu, 0x8281, 1
	LOADB lh,  0xffffffffffff8483, 3
	LOADB lw,  0xffffffff84838281, 1
	LOADB lwu, 0x85848382, 2
	LOADB lw,  0xffffffff86858483, 3
	LOADB ld,  0x8887868584838281, 1
	LOADB ld,  0x8a89888786858483, 3
	LOADB ld,  0x8e8d8c8b8a898887, 7
	LOADB lw,  0x7f7e7d7c, 0xefc
	LOADB lh,  0x7d7c, 0xefc

	/* misaligned loads across the page boundary at buf+4096 */
	LOADB lh,  0xffffffffffff807f, 4095
	LOADB lhu, 0x807f, 4095
	LOADB lw,  0xffffffff81807f7e, 4094
	LOADB lwu, 0x81807f7e, 4094
	LOADB lw,  0xffffffff8281807f, 4095
	LOADB lw,  0xffffffff807f7e7d, 4093
	LOADB ld,  0x84838281807f7e7d, 4093
	LOADB ld,  0x868584838281807f, 4095
	LOADB ld,  0x807f7e7d7c7b7a79, 4089

	/* misaligned stores inside a page */
	call fill_buf
	li t1, 0x0102030405060708
	sd t1, 5(s1)
	DWORD_AT 0x0607088483828180, 0, "sd at buf+5"
	DWORD_AT 0x8f8e8d0102030405, 8, "sd at buf+5"
	call fill_buf
	li t1, 0x11223344
	sw t1, 6(s1)
	DWORD_AT 0x3344858483828180, 0, "sw at buf+6"
	DWORD_AT 0x8f8e8d8c8b8a1122, 8, "sw at buf+6"
	call fill_buf
	li t1, 0xbeef
	sh t1, 7(s1)
	DWORD_AT 0xef86858483828180, 0, "sh at buf+7"
	DWORD_AT 0x8f8e8d8c8b8a89be, 8, "sh at buf+7"

	/* misaligned stores across the page boundary */
	call fill_buf
	li t1, 0x11223344
	li t0, 4094
	add t0, t0, s1
	sw t1, 0(t0)
	DWORD_AT 0x33447d7c7b7a7978, 4088, "sw at buf+4094"
	DWORD_AT 0x8786858483821122, 4096, "sw at buf+4094"
	call fill_buf
	li t1, 0x0102030405060708
	li t0, 4093
	add t0, t0, s1
	sd t1, 0(t0)
	DWORD_AT 0x0607087c7b7a7978, 4088, "sd at buf+4093"
	DWORD_AT 0x8786850102030405, 4096, "sd at buf+4093"
	call fill_buf
	li t1, 0xbeef
	li t0, 4095
	add t0, t0, s1
	sh t1, 0(t0)
	DWORD_AT 0xef7e7d7c7b7a7978, 4088, "sh at buf+4095"
	DWORD_AT 0x87868584838281be, 4096, "sh at buf+4095"

	/* fences are no-ops for a single hart */
	li t1, 77
	sd t1, 0(s1)
	fence
	fence rw, rw
	fence r, r
	fence w, w
	fence iorw, iorw
	fence.tso
	ld t0, 0(s1)
	CHECK t0, 77, "fence variants"

	/* differential: random loads of every width at random offsets */
	li s2, 1024
1:	call rand
	sd a0, 0(s1)
	addi s1, s1, 8
	addi s2, s2, -1
	bnez s2, 1b
	lla s1, buf
	DUMP_BEGIN "loads at random offsets"
	li s2, 64
2:	call rand
	li t1, 0x1fff
	and t0, a0, t1
	li t1, 8184
	bltu t0, t1, 4f
	addi t0, t0, -8		/* keep all 8 bytes inside buf */
4:
	add s3, s1, t0
	lb a0, 0(s3)
	call dump_val
	lbu a0, 0(s3)
	call dump_val
	lh a0, 0(s3)
	call dump_val
	lhu a0, 0(s3)
	call dump_val
	lw a0, 0(s3)
	call dump_val
	lwu a0, 0(s3)
	call dump_val
	ld a0, 0(s3)
	call dump_val
	addi s2, s2, -1
	bnez s2, 2b

	DUMP_BEGIN "stores at random offsets"
	li s2, 64
3:	call rand
	li t1, 0x1fff
	and t0, a0, t1
	li t1, 8176
	bltu t0, t1, 5f
	addi t0, t0, -16	/* keep bytes 1..16 inside buf */
5:
	add s3, s1, t0
	call rand
	mv s4, a0
	sd s4, 1(s3)
	srli t0, s4, 8
	sw t0, 3(s3)
	srli t0, s4, 16
	sh t0, 6(s3)
	srli t0, s4, 32
	sb t0, 9(s3)
	andi s3, s3, -8
	ld a0, 0(s3)
	call dump_val
	ld a0, 8(s3)
	call dump_val
	ld a0, 16(s3)
	call dump_val
	addi s2, s2, -1
	bnez s2, 3b
TEST_END
