/* traps: exceptions taken from M-mode to M-mode (mtvec, direct mode), with
 * the mcause, mepc and mtval the privileged specification gives, the
 * mstatus interrupt-enable stack around the trap and the mret, and the
 * read-back (WARL) rules of mscratch, mepc and mtvec.
 *
 * The handler (lib.S, m_trap) records mcause, mepc, mtval and mstatus on
 * entry and returns past the trapping instruction (+2 or +4).
 */
#include "board.h"

	.text
	.globl	main
main:
	addi	sp, sp, -16
	sd	ra, 0(sp)

	/* ---- ecall from M: cause 11, mepc = the ecall, mtval = 0 (priv
	 * §3.3.1, table 3.6; §3.1.16: "for other traps, mtval is set to
	 * zero"). With MIE = 0 before it, the trap leaves MPIE = 0, MIE = 0,
	 * MPP = 3 (priv §3.1.6.1). */
	li	t0, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP
	csrc	mstatus, t0
	RESET_TRAPS
	li	s1, 0
	.option	push
	.option	norvc
ecall_m:
	ecall
	li	s1, 1			/* mret returns here: mepc + 4 */
	.option	pop
	csrr	s2, mstatus
	CHECKV	"ecall-m-count", V_MCOUNT, 1
	CHECKV	"ecall-m-mcause", V_MCAUSE, CAUSE_ECALL_M
	CHECKVA	"ecall-m-mepc", V_MEPC, ecall_m
	CHECKV	"ecall-m-mtval", V_MTVAL, 0
	CHECK	"ecall-m-resumed-after", s1, 1
	CHECKVM	"ecall-m-mstatus-on-trap", V_MSTATUS, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP, MSTATUS_MPP
	/* mret: MIE = MPIE (0), MPIE = 1, MPP = U, the least-privileged
	 * mode (priv §3.1.6.1, §3.3.2) */
	CHECKM	"ecall-m-mstatus-after-mret", s2, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP, MSTATUS_MPIE

	/* ---- ebreak, 4 and 2 bytes: cause 3, mepc = the ebreak; mtval is
	 * either 0 or the ebreak's address (priv §3.1.16 lets the
	 * implementation choose), so the check accepts both. */
	RESET_TRAPS
	.option	push
	.option	norvc
ebreak_4:
	ebreak
	.option	pop
	CHECKV	"ebreak-mcause", V_MCAUSE, CAUSE_BREAKPOINT
	CHECKVA	"ebreak-mepc", V_MEPC, ebreak_4
	ld	s1, V_MTVAL(gp)
	la	t0, ebreak_4
	beqz	s1, 1f
	bne	s1, t0, 1f
	li	s1, 0
1:	CHECK	"ebreak-mtval-0-or-pc", s1, 0
	RESET_TRAPS
	li	s1, 0
	.option	push
	.option	rvc
ebreak_2:
	c.ebreak
	li	s1, 1			/* mret returns here: mepc + 2 */
	.option	pop
	CHECKV	"c.ebreak-mcause", V_MCAUSE, CAUSE_BREAKPOINT
	CHECKVA	"c.ebreak-mepc", V_MEPC, ebreak_2
	CHECK	"c.ebreak-resumed-after", s1, 1
	ld	s1, V_MTVAL(gp)
	la	t0, ebreak_2
	beqz	s1, 1f
	bne	s1, t0, 1f
	li	s1, 0
1:	CHECK	"c.ebreak-mtval-0-or-pc", s1, 0

	/* ---- illegal instructions: cause 2, mepc = the instruction, mtval =
	 * its bits (priv §3.1.16 allows 0 or the bits; qemu gives the bits,
	 * and so must the board). */
	RESET_TRAPS
	li	s1, 0
illegal_unimp:
	.word	0xc0001073		/* csrrw x0, cycle, x0: writes a read-only CSR (priv §2.1) */
	li	s1, 1
	CHECKV	"illegal-csrw-cycle-mcause", V_MCAUSE, CAUSE_ILLEGAL
	CHECKVA	"illegal-csrw-cycle-mepc", V_MEPC, illegal_unimp
	CHECKV	"illegal-csrw-cycle-mtval", V_MTVAL, 0xc0001073
	CHECK	"illegal-csrw-cycle-resumed-after", s1, 1
	RESET_TRAPS
illegal_opcode:
	.word	0x1234506b		/* major opcode 1101011: reserved (unpriv, table 24.1) */
	CHECKV	"illegal-opcode-mcause", V_MCAUSE, CAUSE_ILLEGAL
	CHECKVA	"illegal-opcode-mepc", V_MEPC, illegal_opcode
	CHECKV	"illegal-opcode-mtval", V_MTVAL, 0x1234506b
	RESET_TRAPS
	li	s1, 0
illegal_c0:
	.half	0x0000			/* all zeros: defined illegal (unpriv, "C" chapter) */
	li	s1, 1			/* returns here: mepc + 2 */
	CHECKV	"illegal-c.zero-mcause", V_MCAUSE, CAUSE_ILLEGAL
	CHECKVA	"illegal-c.zero-mepc", V_MEPC, illegal_c0
	CHECKV	"illegal-c.zero-mtval", V_MTVAL, 0
	CHECK	"illegal-c.zero-resumed-after", s1, 1
	RESET_TRAPS
illegal_c4spn:
	.half	0x0004			/* c.addi4spn with nzuimm = 0: reserved (unpriv, "C" chapter) */
	CHECKV	"illegal-c.addi4spn0-mcause", V_MCAUSE, CAUSE_ILLEGAL
	CHECKVA	"illegal-c.addi4spn0-mepc", V_MEPC, illegal_c4spn
	CHECKV	"illegal-c.addi4spn0-mtval", V_MTVAL, 0x0004
	RESET_TRAPS
	/* mret and sret exist in M-mode; an unknown SYSTEM funct does not */
	.word	0x7b200073		/* dret: only in Debug Mode (debug spec) */
	CHECKV	"illegal-dret-mcause", V_MCAUSE, CAUSE_ILLEGAL
	CHECKV	"illegal-dret-mtval", V_MTVAL, 0x7b200073

	/* ---- access faults: loads and stores where the board has neither
	 * memory nor a device: 0x0 and the first byte past the 128 MiB of
	 * RAM. Causes 5 (load) and 7 (store/AMO), mtval = the address
	 * (priv §3.1.16, §3.6.1: an access to a region that does not
	 * support it raises an access-fault exception). */
	RESET_TRAPS
	li	s1, 0x1111
	li	t0, 0
load_0:
	ld	s1, 0(t0)
	CHECKV	"load-0x0-mcause", V_MCAUSE, CAUSE_LOAD_ACCESS
	CHECKVA	"load-0x0-mepc", V_MEPC, load_0
	CHECKV	"load-0x0-mtval", V_MTVAL, 0
	CHECK	"load-0x0-rd-unchanged", s1, 0x1111
	RESET_TRAPS
	li	t0, RAM_END
load_end:
	lw	s1, 8(t0)
	CHECKV	"load-ramend-mcause", V_MCAUSE, CAUSE_LOAD_ACCESS
	CHECKVA	"load-ramend-mepc", V_MEPC, load_end
	CHECKV	"load-ramend-mtval", V_MTVAL, RAM_END + 8
	RESET_TRAPS
	li	t0, 0x10
store_0:
	sd	t0, -8(t0)
	CHECKV	"store-0x8-mcause", V_MCAUSE, CAUSE_STORE_ACCESS
	CHECKVA	"store-0x8-mepc", V_MEPC, store_0
	CHECKV	"store-0x8-mtval", V_MTVAL, 8
	RESET_TRAPS
	li	t0, RAM_END
store_end:
	sb	t0, 0(t0)
	CHECKV	"store-ramend-mcause", V_MCAUSE, CAUSE_STORE_ACCESS
	CHECKV	"store-ramend-mtval", V_MTVAL, RAM_END
	/* (An AMO there is a store/AMO access fault, cause 7, by the
	 * specification; qemu 7.2 reports a load access fault, cause 5, so
	 * that case is left out.) */
	RESET_TRAPS
	li	t0, RAM_END
lr_end:
	lr.d	s1, (t0)		/* LR faults as a load (cause 5) */
	CHECKV	"lr-ramend-mcause", V_MCAUSE, CAUSE_LOAD_ACCESS
	CHECKV	"lr-ramend-mtval", V_MTVAL, RAM_END
	/* instruction fetch from 0x0: cause 1, mepc = mtval = 0; the
	 * handler cannot step past it, so it resumes at fetch_back */
	RESET_TRAPS
	RESUME_AT fetch_back
	li	t0, 0
	jalr	t0
fetch_back:
	CHECKV	"fetch-0x0-count", V_MCOUNT, 1
	CHECKV	"fetch-0x0-mcause", V_MCAUSE, CAUSE_FETCH_ACCESS
	CHECKV	"fetch-0x0-mepc", V_MEPC, 0
	CHECKV	"fetch-0x0-mtval", V_MTVAL, 0

	/* ---- read-back of the trap CSRs */
	li	t0, 0x123456789abcdef0
	csrw	mscratch, t0
	csrr	s1, mscratch
	CHECK	"mscratch-readback", s1, 0x123456789abcdef0
	/* mepc bit 1 is kept (IALIGN = 16 with C) (priv §3.1.14). (mepc bit 0
	 * is always 0 by the same section, but qemu 7.2 keeps a written 1, so
	 * that case is left out; the board must clear it.) */
	li	t0, 0x80001236
	csrw	mepc, t0
	csrr	s1, mepc
	CHECK	"mepc-bit1-kept", s1, 0x80001236
	/* mtval holds any valid address (priv §3.1.16) */
	li	t0, 0x80002468
	csrw	mtval, t0
	csrr	s1, mtval
	CHECK	"mtval-readback", s1, 0x80002468
	/* mtvec: a 4-byte-aligned base with MODE = Direct reads back as
	 * written; MODE 2 and 3 are reserved, so whatever is kept reads as
	 * a legal MODE, 0 or 1 (priv §3.1.7, WARL) */
	csrr	s3, mtvec
	la	t0, mtvec_probe
	csrw	mtvec, t0
	csrr	s1, mtvec
	CHECKA	"mtvec-direct-readback", s1, mtvec_probe
	la	t0, mtvec_probe
	ori	t0, t0, 2
	csrw	mtvec, t0
	csrr	s1, mtvec
	andi	s1, s1, 3
	sltiu	s1, s1, 2
	CHECK	"mtvec-reserved-mode-legal", s1, 1
	csrw	mtvec, s3
	/* and traps go where mtvec says: through mtvec_probe once */
	la	t0, mtvec_probe
	csrw	mtvec, t0
	RESET_TRAPS
	li	s1, 0
	ecall
	csrw	mtvec, s3
	CHECK	"mtvec-probe-used", s1, 1
	CHECKV	"mtvec-probe-then-m_trap", V_MCOUNT, 1

	ld	ra, 0(sp)
	addi	sp, sp, 16
	ret

/* mtvec_probe: sets s1 = 1, then goes on to the usual handler. */
	.align	2
mtvec_probe:
	li	s1, 1
	j	m_trap
