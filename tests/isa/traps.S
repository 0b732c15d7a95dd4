/*
 * Instructions that trap, and how Linux reports them to a user process:
 * the process dies of the signal, so the exit status is 128 + signal.
 *   ebreak, c.ebreak                           breakpoint      SIGTRAP 133
 *   the all-zero parcel (16- or 32-bit), a
 *   write to a read-only CSR, an unallocated
 *   CSR, a supervisor CSR from user mode       illegal         SIGILL  132
 *   load/store/fetch outside the mappings or
 *   against their permissions                  page fault      SIGSEGV 139
 *   misaligned LR/SC/AMO (never emulated)      misaligned      SIGBUS  135
 *
 * argv[1] selects the case; each prints a line and flushes before trapping.
 * isa-cases: ebreak=133 c.ebreak=133 zero16=132 zero32=132 csr-ro=132 csr-none=132 csr-priv=132 load=139 load-high=139 store-text=139 fetch=139 amo-misaligned=135 lr-misaligned=135
 */
#include "test.h"

	.section .rodata
names:
	.asciz "ebreak"
	.asciz "c.ebreak"
	.asciz "zero16"
	.asciz "zero32"
	.asciz "csr-ro"
	.asciz "csr-none"
	.asciz "csr-priv"
	.asciz "load"
	.asciz "load-high"
	.asciz "store-text"
	.asciz "fetch"
	.asciz "amo-misaligned"
	.asciz "lr-misaligned"
	.byte 0
	.balign 8
handlers:
	.dword do_ebreak, do_cebreak, do_zero16, do_zero32, do_csr_ro
	.dword do_csr_none, do_csr_priv, do_load, do_load_high, do_store_text, do_fetch
	.dword do_amo_misaligned, do_lr_misaligned
s_trap:	.asciz "# trapping: "
s_none:	.asciz "# no case selected\n"

	.data
	.balign 8
word:	.dword 0, 0

	.text
/* streq(a0, a1): 1 in a0 if the NUL-terminated strings are equal */
streq:
1:	lbu t0, 0(a0)
	lbu t1, 0(a1)
	bne t0, t1, 2f
	beqz t0, 3f
	addi a0, a0, 1
	addi a1, a1, 1
	j 1b
2:	li a0, 0
	ret
3:	li a0, 1
	ret

TEST_BEGIN
	ld t0, 0(sp)			/* argc */
	li t1, 2
	blt t0, t1, .Lnone
	ld s1, 16(sp)			/* argv[1] */
	lla s2, names
	lla s3, handlers
1:	lbu t0, 0(s2)
	beqz t0, .Lnone
	mv a0, s1
	mv a1, s2
	call streq
	bnez a0, 3f
2:	lbu t0, 0(s2)			/* skip to the next name */
	addi s2, s2, 1
	bnez t0, 2b
	addi s3, s3, 8
	j 1b
3:	lla a0, s_trap
	call put_str
	mv a0, s1
	call put_str
	call put_nl
	call out_flush
	lla s4, word
	ld t0, 0(s3)
	jr t0
.Lnone:
	lla a0, s_none
	call put_str
	NAME a0, "traps: a case name is required"
	call fail_here
	j .Lend

do_ebreak:
	ebreak
	j .Lsurvived
do_cebreak:
	.option push
	.option rvc
	c.ebreak
	.option pop
	j .Lsurvived
do_zero16:
	.2byte 0x0000
	.2byte 0x0001
	j .Lsurvived
do_zero32:
	.4byte 0x00000000
	j .Lsurvived
do_csr_ro:
	li t0, 1
	csrw cycle, t0
	j .Lsurvived
do_csr_none:
	csrr t0, 0x010			/* unallocated user CSR number */
	j .Lsurvived
do_csr_priv:
	csrr t0, sstatus		/* supervisor CSR from user mode */
	j .Lsurvived
do_load:
	ld t0, 0(zero)
	j .Lsurvived
do_load_high:
	li t1, 0xfffffffffffff000
	ld t0, 0(t1)
	j .Lsurvived
do_store_text:
	lla t1, do_store_text
	sw zero, 0(t1)
	j .Lsurvived
do_fetch:
	li t1, 0x10
	jalr t1
	j .Lsurvived
do_amo_misaligned:
	li t1, 1
	addi t2, s4, 1
	amoadd.w t0, t1, (t2)
	j .Lsurvived
do_lr_misaligned:
	addi t1, s4, 4
	lr.d t0, (t1)
	j .Lsurvived

.Lsurvived:
	NAME a0, "the instruction did not trap"
	call fail_here
.Lend:
TEST_END
