/* timer: the CLINT (mtime, mtimecmp, msip) and interrupts — machine timer
 * and software interrupts taken in M-mode, masking by mstatus.MIE and mie,
 * interrupts taken at once when enabled, the priority of MSI over MTI,
 * M-level interrupts in U-mode whatever MIE says, and a supervisor timer
 * interrupt (mip.STIP, written by M) delegated to S through mideleg.
 *
 * Output never depends on timing: waits are bounded loops whose outcome
 * (arrived or not) is what is checked. The handlers (lib.S) clear the
 * taken interrupt's bit in mie (or sie) before returning.
 */
#include "board.h"

#define SPIN	20000000	/* iterations before a wait gives up */

/* WAIT_MIP bit, want: spin until (mip & bit) == want, at most SPIN times
 * (an MTIP change after a write to mtimecmp, or MSIP after msip, need only
 * be seen "in a bounded amount of time", priv §3.1.9). Clobbers t0-t2. */
.macro WAIT_MIP bit, want
	li	t2, SPIN
99:	csrr	t0, mip
	li	t1, \bit
	and	t0, t0, t1
	li	t1, \want
	beq	t0, t1, 98f
	addi	t2, t2, -1
	bnez	t2, 99b
98:
.endm

	.text
	.globl	main
main:
	addi	sp, sp, -16
	sd	ra, 0(sp)
	csrw	mie, zero
	csrw	mideleg, zero
	csrw	medeleg, zero
	li	t0, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_SIE | MSTATUS_SPIE
	csrc	mstatus, t0
	li	s0, CLINT_BASE			/* msip */
	li	s4, CLINT_BASE + CLINT_MTIMECMP
	li	s5, CLINT_BASE + CLINT_MTIME
	li	t0, -1
	sd	t0, 0(s4)
	sw	zero, CLINT_MSIP(s0)

	/* ---- mtime counts up (priv §3.2.1), and the time CSR is a read-only
	 * shadow of it (unpriv §10.1): mtime1 <= time <= mtime2 */
	ld	s1, 0(s5)
	li	t0, 200000
1:	addi	t0, t0, -1
	bnez	t0, 1b
	ld	s2, 0(s5)
	sltu	a1, s1, s2
	CHECK	"mtime-increases", a1, 1
	ld	s1, 0(s5)
	csrr	s2, time
	ld	s3, 0(s5)
	sltu	t0, s2, s1		/* time < mtime1: wrong */
	sltu	t1, s3, s2		/* mtime2 < time: wrong */
	or	a1, t0, t1
	CHECK	"time-csr-is-mtime", a1, 0

	/* ---- mip.MTIP follows mtime >= mtimecmp (priv §3.2.1); nothing is
	 * taken while mie and MIE are 0 */
	RESET_TRAPS
	sd	zero, 0(s4)
	WAIT_MIP MIP_MTIP, MIP_MTIP
	csrr	s1, mip
	CHECKM	"mtip-set-when-mtimecmp-passed", s1, MIP_MTIP, MIP_MTIP
	li	t0, -1
	sd	t0, 0(s4)
	WAIT_MIP MIP_MTIP, 0
	csrr	s1, mip
	CHECKM	"mtip-clear-when-mtimecmp-ahead", s1, MIP_MTIP, 0
	/* mtimecmp reads back as written */
	li	t0, 0x123456789abcdef
	sd	t0, 0(s4)
	ld	s1, 0(s4)
	CHECK	"mtimecmp-readback", s1, 0x123456789abcdef
	li	t0, -1
	sd	t0, 0(s4)

	/* ---- a timer interrupt while spinning: mtimecmp = mtime + 1000
	 * (100 us), MTIE, MIE. mcause = interrupt | 7, mepc at or after the
	 * instruction that follows the csrsi setting MIE (in the loop, unless
	 * the host was slow enough for the deadline to pass before it),
	 * mtval = 0 (priv §3.1.15, §3.1.16); the trap stacks MIE (priv
	 * §3.1.6.1) */
	RESET_TRAPS
	li	t0, MIP_MTIP
	csrs	mie, t0
	ld	t0, 0(s5)
	addi	t0, t0, 1000
	sd	t0, 0(s4)
	csrsi	mstatus, MSTATUS_MIE
timer_armed:
	li	t1, SPIN
timer_loop:
	ld	t0, V_MCOUNT(gp)
	bnez	t0, 1f
	addi	t1, t1, -1
	bnez	t1, timer_loop
timer_loop_end:
1:	csrci	mstatus, MSTATUS_MIE
	CHECKV	"mti-taken-once", V_MCOUNT, 1
	CHECKV	"mti-mcause", V_MCAUSE, CAUSE_INTR | IRQ_M_TIMER
	CHECKV	"mti-mtval", V_MTVAL, 0
	ld	t0, V_MEPC(gp)
	la	t1, timer_armed
	la	t2, timer_loop_end
	sltu	a1, t0, t1
	sltu	a2, t0, t2
	xori	a1, a1, 1
	and	s1, a1, a2
	CHECK	"mti-mepc-after-mie", s1, 1
	CHECKVM	"mti-mstatus-on-trap", V_MSTATUS, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP, MSTATUS_MPIE | MSTATUS_MPP
	csrr	s1, mip
	CHECKM	"mti-mtip-still-pending", s1, MIP_MTIP, MIP_MTIP
	/* cleared by moving mtimecmp ahead */
	li	t0, -1
	sd	t0, 0(s4)
	WAIT_MIP MIP_MTIP, 0
	csrr	s1, mip
	CHECKM	"mti-cleared-by-mtimecmp", s1, MIP_MTIP, 0

	/* ---- wfi with MIE = 0 wakes when an interrupt enabled in mie
	 * becomes pending: "the operation of WFI must be unaffected by the
	 * global interrupt bits in mstatus" (priv §3.3.3; it may also return
	 * at once, hence the loop on mip). Nothing is taken until MIE is set;
	 * then at once, after the csrs (priv §3.1.9). */
	RESET_TRAPS
	li	t0, MIP_MTIP
	csrs	mie, t0
	ld	t0, 0(s5)
	addi	t0, t0, 1000
	sd	t0, 0(s4)
	li	t1, SPIN
1:	wfi
	csrr	t0, mip
	andi	t0, t0, MIP_MTIP
	bnez	t0, 2f
	addi	t1, t1, -1
	bnez	t1, 1b
2:	csrr	s1, mip
	CHECKM	"wfi-woken-mtip-pending", s1, MIP_MTIP, MIP_MTIP
	CHECKV	"wfi-nothing-taken-with-mie-0", V_MCOUNT, 0
	csrsi	mstatus, MSTATUS_MIE
wfi_taken:
	csrci	mstatus, MSTATUS_MIE
	li	t0, -1
	sd	t0, 0(s4)
	CHECKV	"wfi-then-mie-mti-taken", V_MCOUNT, 1
	CHECKV	"wfi-then-mie-mcause", V_MCAUSE, CAUSE_INTR | IRQ_M_TIMER
	CHECKVA	"wfi-then-mie-mepc", V_MEPC, wfi_taken
	WAIT_MIP MIP_MTIP, 0

	/* ---- pending but masked by MIE = 0, taken right after the csrs
	 * that sets MIE: the conditions are evaluated immediately after a
	 * write to mstatus or mie (priv §3.1.9) */
	RESET_TRAPS
	csrw	mie, zero
	sd	zero, 0(s4)
	WAIT_MIP MIP_MTIP, MIP_MTIP
	li	t0, MIP_MTIP
	csrs	mie, t0
	li	t0, 1000
1:	addi	t0, t0, -1
	bnez	t0, 1b
	CHECKV	"mti-masked-by-mie-0", V_MCOUNT, 0
	csrsi	mstatus, MSTATUS_MIE
mie_set:
	csrci	mstatus, MSTATUS_MIE
	CHECKV	"mti-taken-at-mstatus-write", V_MCOUNT, 1
	CHECKV	"mti-at-write-mcause", V_MCAUSE, CAUSE_INTR | IRQ_M_TIMER
	CHECKVA	"mti-at-write-mepc", V_MEPC, mie_set
	/* and right after the csrs that sets mie.MTIE, with MIE = 1 */
	RESET_TRAPS
	csrsi	mstatus, MSTATUS_MIE
	li	t0, MIP_MTIP
	csrs	mie, t0
mtie_set:
	csrci	mstatus, MSTATUS_MIE
	CHECKV	"mti-taken-at-mie-write", V_MCOUNT, 1
	CHECKVA	"mti-at-mie-write-mepc", V_MEPC, mtie_set
	li	t0, -1
	sd	t0, 0(s4)
	WAIT_MIP MIP_MTIP, 0

	/* ---- machine software interrupt: msip = 1 sets mip.MSIP; cause
	 * interrupt | 3; msip = 0 clears it (priv §3.1.9; the CLINT's
	 * msip register holds bit 0) */
	RESET_TRAPS
	li	t0, 1
	sw	t0, CLINT_MSIP(s0)
	lw	s1, CLINT_MSIP(s0)
	CHECK	"msip-readback", s1, 1
	WAIT_MIP MIP_MSIP, MIP_MSIP
	csrr	s1, mip
	CHECKM	"msi-pending", s1, MIP_MSIP, MIP_MSIP
	li	t0, MIP_MSIP
	csrs	mie, t0
	CHECKV	"msi-masked-by-mie-0", V_MCOUNT, 0
	csrsi	mstatus, MSTATUS_MIE
msi_set:
	csrci	mstatus, MSTATUS_MIE
	CHECKV	"msi-taken", V_MCOUNT, 1
	CHECKV	"msi-mcause", V_MCAUSE, CAUSE_INTR | IRQ_M_SOFT
	CHECKVA	"msi-mepc", V_MEPC, msi_set
	CHECKV	"msi-mtval", V_MTVAL, 0
	sw	zero, CLINT_MSIP(s0)
	lw	s1, CLINT_MSIP(s0)
	CHECK	"msip-cleared", s1, 0
	WAIT_MIP MIP_MSIP, 0
	csrr	s1, mip
	CHECKM	"msi-not-pending", s1, MIP_MSIP, 0

	/* ---- priority: MSI before MTI (priv §3.1.9). Both pending, both
	 * enabled, MIE set: the handler masks each interrupt it takes, so
	 * there are two traps at the same mepc, the last one MTI */
	RESET_TRAPS
	li	t0, 1
	sw	t0, CLINT_MSIP(s0)
	sd	zero, 0(s4)
	WAIT_MIP MIP_MSIP | MIP_MTIP, MIP_MSIP | MIP_MTIP
	li	t0, MIP_MSIP | MIP_MTIP
	csrs	mie, t0
	csrsi	mstatus, MSTATUS_MIE
both_set:
	csrci	mstatus, MSTATUS_MIE
	CHECKV	"msi-mti-two-traps", V_MCOUNT, 2
	CHECKV	"msi-mti-last-is-mti", V_MCAUSE, CAUSE_INTR | IRQ_M_TIMER
	CHECKVA	"msi-mti-mepc", V_MEPC, both_set
	sw	zero, CLINT_MSIP(s0)
	li	t0, -1
	sd	t0, 0(s4)
	WAIT_MIP MIP_MSIP | MIP_MTIP, 0

	/* ---- M-level interrupts are enabled in U-mode whatever MIE says
	 * (priv §3.1.6.1): with MIE = 0 after the mret, a pending MSI is
	 * taken before the first U instruction (the conditions are
	 * evaluated right after an xRET, priv §3.1.9) */
	RESET_TRAPS
	li	t0, 1
	sw	t0, CLINT_MSIP(s0)
	WAIT_MIP MIP_MSIP, MIP_MSIP
	li	t0, MIP_MSIP
	csrs	mie, t0
	li	t0, MSTATUS_MPIE
	csrc	mstatus, t0
	ENTER	PRV_U, u_spin, 1f
1:	sw	zero, CLINT_MSIP(s0)
	CHECKV	"msi-in-u-count", V_MCOUNT, 1
	CHECKV	"msi-in-u-mcause", V_MCAUSE, CAUSE_INTR | IRQ_M_SOFT
	CHECKVA	"msi-in-u-mepc", V_MEPC, u_spin
	CHECKVM	"msi-in-u-mstatus", V_MSTATUS, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP, 0
	WAIT_MIP MIP_MSIP, 0

	/* ---- supervisor timer interrupt, delegated: M sets mip.STIP
	 * (writable in mip, priv §3.1.9), mideleg[5], sie.STIE, SIE. In M
	 * it is not taken (interrupts of lower modes are disabled, priv
	 * §3.1.6.1); after the mret to S it is taken at once, to S:
	 * scause = interrupt | 5, sepc = the first S instruction, stval 0,
	 * SPP = S, SPIE = 1, SIE = 0 (priv §4.1.1) */
	RESET_TRAPS
	li	t0, 1 << IRQ_S_TIMER
	csrw	mideleg, t0
	li	t0, MIP_STIP
	csrs	mip, t0
	csrs	sie, t0
	csrr	s1, mie
	CHECKM	"sie-stie-is-mie-stie", s1, MIP_STIP, MIP_STIP
	csrr	s1, sip
	CHECKM	"sip-shows-stip", s1, MIP_STIP, MIP_STIP
	li	t0, MSTATUS_SIE
	csrs	mstatus, t0
	li	t0, 1000
1:	addi	t0, t0, -1
	bnez	t0, 1b
	CHECKV	"sti-not-taken-in-m", V_SCOUNT, 0
	CHECKV	"sti-not-taken-in-m-by-m", V_MCOUNT, 0
	ENTER	PRV_S, s_spin, 1f
1:	li	t0, MIP_STIP
	csrc	mip, t0
	csrw	mideleg, zero
	li	t0, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP
	csrc	mstatus, t0
	CHECKV	"sti-deleg-scount", V_SCOUNT, 1
	CHECKV	"sti-deleg-scause", V_SCAUSE, CAUSE_INTR | IRQ_S_TIMER
	CHECKVA	"sti-deleg-sepc", V_SEPC, s_spin
	CHECKV	"sti-deleg-stval", V_STVAL, 0
	CHECKVM	"sti-deleg-sstatus", V_SSTATUS, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP, MSTATUS_SPIE | MSTATUS_SPP
	CHECKV	"sti-deleg-then-ebreak", V_MCAUSE, CAUSE_BREAKPOINT
	CHECKVA	"sti-deleg-then-ebreak-mepc", V_MEPC, s_spin

	/* ---- not delegated: an STI pending in S-mode goes to M, enabled
	 * there whatever MIE says (S is below M) */
	RESET_TRAPS
	li	t0, MIP_STIP
	csrs	mip, t0
	csrs	mie, t0
	ENTER	PRV_S, s_spin, 1f
1:	li	t0, MIP_STIP
	csrc	mip, t0
	CHECKV	"sti-to-m-scount", V_SCOUNT, 0
	CHECKV	"sti-to-m-mcount", V_MCOUNT, 1
	CHECKV	"sti-to-m-mcause", V_MCAUSE, CAUSE_INTR | IRQ_S_TIMER
	CHECKVA	"sti-to-m-mepc", V_MEPC, s_spin
	CHECKVM	"sti-to-m-mpp", V_MSTATUS, MSTATUS_MPP, MSTATUS_MPP_S

	csrw	mie, zero
	ld	ra, 0(sp)
	addi	sp, sp, 16
	ret

/* the lower-mode code: an ebreak to M, if nothing comes first */
	.option	push
	.option	norvc
u_spin:
	ebreak
s_spin:
	ebreak
	.option	pop
