/* smp: four harts — every hart starts at the entry with its id in a0,
 * AMOs and LR/SC stay atomic when all harts hammer the same words, an IPI
 * through the CLINT's msip reaches the hart it is meant for and no other,
 * each hart has a mtimecmp of its own, and fences order a message passed
 * from one hart to another.
 */
/* board-smp: 4 */
/*
 * Hart 0 runs main (lib.S) and is the only one that prints; harts 1-3 run
 * `secondary` below, with a stack, a trap handler and a state block
 * (hstate, HS_*) each, and step through the same phases as hart 0, waiting
 * on `phase` (written by hart 0 only) between them. Hart 0's waits are
 * bounded (wait_ge: 5 s of mtime, 100 ms once one wait has given up);
 * a wait that gives up shows as a failed check, never as a hang. The
 * secondaries' waits are not bounded: the board powers off under them.
 *
 * Memory model: RVWMO (unpriv ch. 17). A hart publishes data, then a
 * flag or count, with a release (fence rw, w, or an AMO with .aqrl); the
 * reader orders its flag load before its data loads with fence r, rw
 * (wait_ge does it).
 */
#include "board.h"

#define NHARTS		4
#define ITER		100000		/* additions per hart, per word */
#define TIMEOUT		50000000	/* mtime ticks (10 MHz): 5 s */
#define TIMEOUT_AFTER	1000000		/* 100 ms, once a wait has timed out */
#define MP_ROUNDS	1000		/* message-passing rounds */
#define MP_MUL		0x9e3779b97f4a7c15
#define STACK		4096		/* per secondary hart */

/* the state block of a secondary hart (hstate + id * HS_SIZE) */
#define HS_ID		0	/* mhartid: which msip and mtimecmp are its own */
#define HS_SAVE1	8	/* the handler's save area (t1, t2) */
#define HS_SAVE2	16
#define HS_IPI_COUNT	24	/* word: MSIs taken */
#define HS_TMR_COUNT	28	/* word: MTIs taken */
#define HS_EXC_COUNT	32	/* word: exceptions (and other interrupts) */
#define HS_IPI_MSIP	36	/* word: its msip as the MSI handler found it */
#define HS_IPI_CAUSE	40	/* mcause at the MSI */
#define HS_TMR_CAUSE	48	/* mcause at the MTI */
#define HS_TMR_MTIME	56	/* mtime read in the MTI handler */
#define HS_TMR_TARGET	64	/* what the hart wrote to its mtimecmp */
#define HS_EXC_CAUSE	72
#define HS_RESUME	80	/* if not 0: where the next interrupt returns, MIE = 0 */
#define HS_SIZE		128

/* SEND_IPI k, reg: msip of hart k = 1, wait (bounded) for hart k's
 * acknowledgement; reg = the acknowledgements of harts 1-3 then. */
.macro SEND_IPI k, reg
	li	t0, 1
	sw	t0, CLINT_MSIP + 4*\k(s0)
	la	a0, hstate + \k*HS_SIZE + HS_IPI_COUNT
	li	a1, 1
	call	wait_ge
	la	t0, hstate
	lwu	t1, 1*HS_SIZE + HS_IPI_COUNT(t0)
	lwu	t2, 2*HS_SIZE + HS_IPI_COUNT(t0)
	lwu	t3, 3*HS_SIZE + HS_IPI_COUNT(t0)
	add	t1, t1, t2
	add	\reg, t1, t3
.endm

	.text
/* ---------------------------------------------------------------- hart 0 */
	.globl	main
main:
	addi	sp, sp, -64
	sd	ra, 0(sp)
	sd	s0, 8(sp)
	sd	s1, 16(sp)
	sd	s2, 24(sp)
	sd	s3, 32(sp)
	sd	s4, 40(sp)
	sd	s5, 48(sp)
	csrw	mie, zero
	csrci	mstatus, MSTATUS_MIE
	li	s0, CLINT_BASE			/* msip */
	li	s2, CLINT_BASE + CLINT_MTIMECMP
	li	t0, -1
	sd	t0, 0(s2)
	sw	zero, CLINT_MSIP(s0)

	/* ---- every hart arrives: qemu -bios none (and the board) start all
	 * harts at the entry in M-mode with a0 = mhartid (priv §3.1.5:
	 * mhartid is the hart's id; the ids here are 0..3). Each hart stores
	 * both in its slot, then adds 1 to `arrived` with amoadd.w.aqrl */
	csrr	t0, mhartid
	la	t1, slot_id
	sd	t0, 0(t1)
	ld	t0, V_BOOT_A0(gp)
	la	t1, slot_a0
	sd	t0, 0(t1)
	la	t0, arrived
	li	t1, 1
	amoadd.w.aqrl zero, t1, (t0)
	la	a0, arrived
	li	a1, NHARTS
	call	wait_ge
	la	t0, arrived
	lwu	s1, 0(t0)
	CHECK	"all-4-harts-arrived", s1, NHARTS
	.irp	k, 0, 1, 2, 3
	la	t0, slot_id
	ld	s1, 8*\k(t0)
	CHECK	"hart\k-mhartid", s1, \k
	la	t0, slot_a0
	ld	s1, 8*\k(t0)
	CHECK	"hart\k-a0-at-entry", s1, \k
	.endr

	/* ---- atomics under contention (unpriv §8.4 AMOs, §8.2 LR/SC): all
	 * four harts start together (phase 1); each adds 1 ITER times with
	 * amoadd.d to ctr_amo and ITER times with an lr.d/sc.d loop to
	 * ctr_lrsc, then counts itself in atomics_done. No addition may be
	 * lost: 4 * 100000 = 400000 in each */
	li	a0, 1
	call	set_phase
	call	do_atomics
	la	a0, atomics_done
	li	a1, NHARTS
	call	wait_ge
	la	t0, atomics_done
	lwu	s1, 0(t0)
	CHECK	"atomics-all-harts-done", s1, NHARTS
	la	t0, ctr_amo
	ld	s1, 0(t0)
	CHECK	"amoadd-d-4x100000", s1, NHARTS * ITER
	la	t0, ctr_lrsc
	ld	s1, 0(t0)
	CHECK	"lr-sc-d-4x100000", s1, NHARTS * ITER

	/* ---- IPIs (priv §3.1.9: mip.MSIP is the hart's msip in the CLINT,
	 * at 0x2000000 + 4 * hartid). Harts 1-3 wait in wfi with mie.MSIE
	 * and mstatus.MIE set; hart 0 sets msip of hart 1, waits for its
	 * acknowledgement, then hart 2, then 3. Each handler sees mcause =
	 * interrupt | 3 (priv §3.1.15) and its msip = 1, and clears it. An
	 * IPI reaches only its target: after the k-th, k acknowledgements in
	 * all, and hart 0 (MSIE and MIE set too) takes none */
	RESET_TRAPS
	li	t0, MIP_MSIP | MIP_MTIP
	csrs	mie, t0
	csrsi	mstatus, MSTATUS_MIE
	la	a0, ipi_ready
	li	a1, NHARTS - 1
	call	wait_ge
	la	t0, ipi_ready
	lwu	s1, 0(t0)
	CHECK	"ipi-harts-waiting", s1, NHARTS - 1
	SEND_IPI 1, s3
	SEND_IPI 2, s4
	SEND_IPI 3, s5
	csrci	mstatus, MSTATUS_MIE
	CHECK	"ipi-acks-after-ipi-to-hart1", s3, 1
	CHECK	"ipi-acks-after-ipi-to-hart2", s4, 2
	CHECK	"ipi-acks-after-ipi-to-hart3", s5, 3
	.irp	k, 1, 2, 3
	la	t0, hstate + \k*HS_SIZE
	lwu	s1, HS_IPI_COUNT(t0)
	CHECK	"hart\k-ipi-taken-once", s1, 1
	la	t0, hstate + \k*HS_SIZE
	ld	s1, HS_IPI_CAUSE(t0)
	CHECK	"hart\k-ipi-mcause", s1, CAUSE_INTR | IRQ_M_SOFT
	la	t0, hstate + \k*HS_SIZE
	lwu	s1, HS_IPI_MSIP(t0)
	CHECK	"hart\k-ipi-own-msip-set", s1, 1
	lw	s1, 4*\k(s0)
	CHECK	"hart\k-msip-cleared-by-hart\k", s1, 0
	.endr
	CHECKV	"ipi-none-to-hart0", V_MCOUNT, 0
	csrr	s1, mip
	CHECKM	"hart0-mip-msip-clear", s1, MIP_MSIP, 0

	/* ---- mtimecmp is per hart (CLINT: hart k's at 0x2004000 + 8k, priv
	 * §3.2.1): four different values, far in the future, read back as
	 * written (MIE is 0 meanwhile) */
	.irp	k, 0, 1, 2, 3
	li	t0, 0x7000000000000000 + 0x1111 * \k
	sd	t0, 8*\k(s2)
	.endr
	.irp	k, 0, 1, 2, 3
	ld	s1, 8*\k(s2)
	CHECK	"hart\k-mtimecmp-readback", s1, 0x7000000000000000 + 0x1111 * \k
	.endr
	li	t0, -1
	.irp	k, 0, 1, 2, 3
	sd	t0, 8*\k(s2)
	.endr

	/* ---- each hart's timer is its own (priv §3.2.1: MTIP is pending
	 * while mtime >= the hart's mtimecmp). Phase 3: hart k (1-3) sets its
	 * mtimecmp to mtime + 1000 * (k + 1) and waits in wfi with MTIE and
	 * MIE; its handler sees mcause = interrupt | 7 and mtime >= what it
	 * wrote. Hart 0 keeps its mtimecmp at -1 with MTIE and MIE set: it
	 * takes nothing meanwhile. Then it takes its own */
	RESET_TRAPS
	csrw	mie, zero
	li	t0, MIP_MTIP
	csrs	mie, t0
	csrsi	mstatus, MSTATUS_MIE
	li	a0, 3
	call	set_phase
	.irp	k, 1, 2, 3
	la	a0, hstate + \k*HS_SIZE + HS_TMR_COUNT
	li	a1, 1
	call	wait_ge
	.endr
	csrci	mstatus, MSTATUS_MIE
	CHECKV	"timers-of-others-not-hart0s", V_MCOUNT, 0
	.irp	k, 1, 2, 3
	la	t0, hstate + \k*HS_SIZE
	lwu	s1, HS_TMR_COUNT(t0)
	CHECK	"hart\k-mti-taken-once", s1, 1
	la	t0, hstate + \k*HS_SIZE
	ld	s1, HS_TMR_CAUSE(t0)
	CHECK	"hart\k-mti-mcause", s1, CAUSE_INTR | IRQ_M_TIMER
	la	t0, hstate + \k*HS_SIZE
	ld	t1, HS_TMR_MTIME(t0)
	ld	t2, HS_TMR_TARGET(t0)
	sltu	s1, t1, t2
	CHECK	"hart\k-mti-not-early", s1, 0
	.endr
	/* hart 0's own: mtimecmp = mtime + 1000 */
	RESET_TRAPS
	li	t0, MIP_MTIP
	csrs	mie, t0
	li	t0, CLINT_BASE + CLINT_MTIME
	ld	t0, 0(t0)
	addi	t0, t0, 1000
	sd	t0, 0(s2)
	csrsi	mstatus, MSTATUS_MIE
	addi	a0, gp, V_MCOUNT	/* the low word of the dword (little-endian) */
	li	a1, 1
	call	wait_ge
	csrci	mstatus, MSTATUS_MIE
	li	t0, -1
	sd	t0, 0(s2)
	CHECKV	"hart0-mti-taken-once", V_MCOUNT, 1
	CHECKV	"hart0-mti-mcause", V_MCAUSE, CAUSE_INTR | IRQ_M_TIMER
	csrw	mie, zero

	/* ---- message passing (unpriv §17.1, the MP litmus test with fences):
	 * in round i (1..1000) hart 1 writes mp_data = i * MP_MUL and
	 * mp_data2 = ~i, fence rw, rw, then mp_flag = i; hart 0 waits for
	 * mp_flag >= i, fence rw, rw, reads both: they must be round i's.
	 * Hart 0 then acknowledges (fence rw, rw; mp_ack = i), and hart 1
	 * waits for that before the next round */
	li	a0, 4
	call	set_phase
	li	s3, 1			/* i */
	li	s4, 0			/* rounds whose data was wrong */
	li	s5, 0			/* rounds that arrived */
mp_loop:
	la	a0, mp_flag
	mv	a1, s3
	call	wait_ge
	beqz	a0, mp_end
	fence	rw, rw
	la	t0, mp_data
	ld	t1, 0(t0)
	ld	t2, 8(t0)
	li	t3, MP_MUL
	mul	t3, t3, s3
	not	t4, s3
	xor	t1, t1, t3
	xor	t2, t2, t4
	or	t1, t1, t2
	snez	t1, t1
	add	s4, s4, t1
	addi	s5, s5, 1
	fence	rw, rw
	la	t0, mp_ack
	sw	s3, 0(t0)
	addi	s3, s3, 1
	li	t0, MP_ROUNDS
	bleu	s3, t0, mp_loop
mp_end:
	CHECK	"mp-rounds-arrived", s5, MP_ROUNDS
	CHECK	"mp-rounds-data-stale", s4, 0

	/* ---- nothing else trapped on harts 1-3 */
	.irp	k, 1, 2, 3
	la	t0, hstate + \k*HS_SIZE
	lwu	s1, HS_EXC_COUNT(t0)
	CHECK	"hart\k-no-other-traps", s1, 0
	.endr

	ld	ra, 0(sp)
	ld	s0, 8(sp)
	ld	s1, 16(sp)
	ld	s2, 24(sp)
	ld	s3, 32(sp)
	ld	s4, 40(sp)
	ld	s5, 48(sp)
	addi	sp, sp, 64
	ret				/* lib.S prints the summary, powers off */

/* set_phase(a0): phase = a0, after everything before it (hart 0 only). */
set_phase:
	fence	rw, w
	la	t0, phase
	sw	a0, 0(t0)
	ret

/* wait_ge(a0 = address of a word, a1): 1 once the word (unsigned) is >=
 * a1, followed by fence r, rw; 0 if it is not within TIMEOUT of mtime —
 * or within TIMEOUT_AFTER, once any wait has timed out (so that a broken
 * run still ends well within run.sh's time limit). Clobbers t0-t6. */
wait_ge:
	li	t3, CLINT_BASE + CLINT_MTIME
	ld	t4, 0(t3)
	la	t5, timed_out
	lwu	t6, 0(t5)
	li	t0, TIMEOUT
	beqz	t6, 1f
	li	t0, TIMEOUT_AFTER
1:	add	t4, t4, t0		/* deadline */
4:	li	t0, 1000		/* looks between two reads of mtime */
2:	lwu	t6, 0(a0)
	bgeu	t6, a1, 3f
	addi	t0, t0, -1
	bnez	t0, 2b
	ld	t6, 0(t3)
	bltu	t6, t4, 4b
	li	t6, 1
	sw	t6, 0(t5)
	li	a0, 0
	ret
3:	fence	r, rw
	li	a0, 1
	ret

/* wait_phase(a1): spin until phase >= a1 (secondaries; not bounded). */
wait_phase:
	la	t0, phase
1:	lwu	t1, 0(t0)
	bltu	t1, a1, 1b
	fence	r, rw
	ret

/* do_atomics: ITER amoadd.d of 1 to ctr_amo, ITER lr.d/sc.d increments of
 * ctr_lrsc, then atomics_done += 1 (amoadd.w.aqrl: a release). Every hart
 * runs it. */
do_atomics:
	la	t0, ctr_amo
	li	t1, ITER
	li	t2, 1
1:	amoadd.d zero, t2, (t0)
	addi	t1, t1, -1
	bnez	t1, 1b
	la	t0, ctr_lrsc
	li	t1, ITER
2:	lr.d	t3, (t0)
	addi	t3, t3, 1
	sc.d	t4, t3, (t0)
	bnez	t4, 2b			/* sc failed: again from the lr */
	addi	t1, t1, -1
	bnez	t1, 2b
	la	t0, atomics_done
	amoadd.w.aqrl zero, t2, (t0)
	ret

/* ------------------------------------------------------------ harts 1-3 */
/* secondary (lib.S jumps here once the bss is zero): a0 = hart id. */
	.globl	secondary
secondary:
	mv	s0, a0			/* index of stack and slots */
	csrr	s1, mhartid		/* index of msip and mtimecmp */
	li	t0, NHARTS
	bgeu	s0, t0, park		/* not one of ours */
	la	sp, stacks
	addi	t0, s0, 1
	li	t1, STACK
	mul	t0, t0, t1
	add	sp, sp, t0
	la	s2, hstate
	li	t0, HS_SIZE
	mul	t0, t0, s0
	add	s2, s2, t0
	sd	s1, HS_ID(s2)
	csrw	mscratch, s2
	la	t0, smp_mtrap
	csrw	mtvec, t0
	csrw	mie, zero
	csrci	mstatus, MSTATUS_MIE
	li	s3, CLINT_BASE
	slli	t0, s1, 3
	add	t0, t0, s3
	li	t1, CLINT_MTIMECMP
	add	s4, t0, t1		/* s4: own mtimecmp */
	li	t0, -1
	sd	t0, 0(s4)
	/* arrival */
	slli	t1, s0, 3
	la	t0, slot_id
	add	t0, t0, t1
	sd	s1, 0(t0)
	la	t0, slot_a0
	add	t0, t0, t1
	sd	s0, 0(t0)
	la	t0, arrived
	li	t1, 1
	amoadd.w.aqrl zero, t1, (t0)
	/* atomics */
	li	a1, 1
	call	wait_phase
	call	do_atomics
	/* IPI: MSIE and MIE on, say so, wfi until the handler sends us on */
	la	t0, ipi_taken
	sd	t0, HS_RESUME(s2)
	li	t0, MIP_MSIP
	csrs	mie, t0
	csrsi	mstatus, MSTATUS_MIE
	la	t0, ipi_ready
	li	t1, 1
	amoadd.w.aqrl zero, t1, (t0)
1:	wfi
	j	1b
ipi_taken:				/* MIE = 0 here */
	/* timer: own mtimecmp = mtime + 1000 * (id + 1) */
	li	a1, 3
	call	wait_phase
	la	t0, timer_taken
	sd	t0, HS_RESUME(s2)
	li	t0, MIP_MTIP
	csrs	mie, t0
	li	t0, CLINT_BASE + CLINT_MTIME
	ld	t1, 0(t0)
	addi	t2, s0, 1
	li	t3, 1000
	mul	t2, t2, t3
	add	t1, t1, t2
	sd	t1, HS_TMR_TARGET(s2)
	sd	t1, 0(s4)
	csrsi	mstatus, MSTATUS_MIE
1:	wfi
	j	1b
timer_taken:
	/* message passing: hart 1 sends */
	li	t0, 1
	bne	s0, t0, park
	li	a1, 4
	call	wait_phase
	li	s5, 1			/* i */
	la	s6, mp_data
	la	s7, mp_flag
	la	s8, mp_ack
	li	s9, MP_MUL
1:	mul	t0, s9, s5
	sd	t0, 0(s6)
	not	t0, s5
	sd	t0, 8(s6)
	fence	rw, rw
	sw	s5, 0(s7)
2:	lwu	t0, 0(s8)
	bne	t0, s5, 2b
	fence	rw, rw
	addi	s5, s5, 1
	li	t0, MP_ROUNDS
	bleu	s5, t0, 1b
park:
	csrw	mie, zero
1:	wfi
	j	1b

/* smp_mtrap: the secondaries' M handler; mscratch = the hart's hstate.
 * An interrupt is masked in mie (as lib.S's m_trap does), recorded and
 * counted (a release: fence rw, w before the count); an MSI clears the
 * hart's msip, an MTI sets its mtimecmp to -1. With HS_RESUME set it
 * returns there with MIE = 0. Exceptions and other interrupts are counted
 * in HS_EXC_*; an exception returns past the instruction. Changes no
 * register. */
	.align	2
smp_mtrap:
	csrrw	t0, mscratch, t0
	sd	t1, HS_SAVE1(t0)
	sd	t2, HS_SAVE2(t0)
	csrr	t1, mcause
	bgez	t1, 5f
	slli	t2, t1, 1
	srli	t2, t2, 1
	li	t1, 1
	sll	t1, t1, t2
	csrc	mie, t1
	li	t1, IRQ_M_SOFT
	beq	t2, t1, 1f
	li	t1, IRQ_M_TIMER
	beq	t2, t1, 2f
	j	6f
1:	/* MSI */
	ld	t1, HS_ID(t0)
	slli	t1, t1, 2
	li	t2, CLINT_BASE + CLINT_MSIP
	add	t1, t1, t2
	lw	t2, 0(t1)
	sw	t2, HS_IPI_MSIP(t0)
	sw	zero, 0(t1)
	csrr	t2, mcause
	sd	t2, HS_IPI_CAUSE(t0)
	fence	rw, w
	lw	t2, HS_IPI_COUNT(t0)
	addi	t2, t2, 1
	sw	t2, HS_IPI_COUNT(t0)
	j	3f
2:	/* MTI */
	li	t1, CLINT_BASE + CLINT_MTIME
	ld	t2, 0(t1)
	sd	t2, HS_TMR_MTIME(t0)
	ld	t1, HS_ID(t0)
	slli	t1, t1, 3
	li	t2, CLINT_BASE + CLINT_MTIMECMP
	add	t1, t1, t2
	li	t2, -1
	sd	t2, 0(t1)
	csrr	t2, mcause
	sd	t2, HS_TMR_CAUSE(t0)
	fence	rw, w
	lw	t2, HS_TMR_COUNT(t0)
	addi	t2, t2, 1
	sw	t2, HS_TMR_COUNT(t0)
3:	ld	t1, HS_RESUME(t0)
	beqz	t1, 8f
	sd	zero, HS_RESUME(t0)
	csrw	mepc, t1
	li	t1, MSTATUS_MPIE
	csrc	mstatus, t1
	j	8f
5:	/* exception: past the instruction */
	csrr	t1, mepc
	lhu	t2, 0(t1)
	andi	t2, t2, 3
	addi	t1, t1, 2
	addi	t2, t2, -3
	bnez	t2, 7f
	addi	t1, t1, 2
7:	csrw	mepc, t1
6:	csrr	t2, mcause
	sd	t2, HS_EXC_CAUSE(t0)
	fence	rw, w
	lw	t2, HS_EXC_COUNT(t0)
	addi	t2, t2, 1
	sw	t2, HS_EXC_COUNT(t0)
8:	ld	t1, HS_SAVE1(t0)
	ld	t2, HS_SAVE2(t0)
	csrrw	t0, mscratch, t0
	mret

/* ------------------------------------------------------------ variables */
/* In the bss: hart 0 zeroes it before the others are let in (lib.S). The
 * words other harts write or wait on each have a 64-byte line of their
 * own, except ctr_amo and ctr_lrsc, which share one on purpose. */
	.bss
	.align	6
arrived:	.word	0
	.align	6
phase:		.word	0
	.align	6
atomics_done:	.word	0
	.align	6
ipi_ready:	.word	0
	.align	6
timed_out:	.word	0
	.align	6
ctr_amo:	.dword	0
ctr_lrsc:	.dword	0
	.align	6
mp_data:	.dword	0, 0
	.align	6
mp_flag:	.word	0
	.align	6
mp_ack:		.word	0
	.align	6
slot_id:	.space	8 * NHARTS
slot_a0:	.space	8 * NHARTS
	.align	6
hstate:		.space	HS_SIZE * NHARTS
	.align	4
stacks:		.space	STACK * NHARTS
