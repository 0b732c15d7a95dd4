/* virtio: a polled virtio-mmio (version 2) driver for the board's block
 * and entropy devices. The kernel finds them by scanning the eight
 * transports, brings each up with the driver's initialisation sequence,
 * then reads, writes and asks the id of the disk run.sh made, and takes
 * 64 random bytes from the entropy device.
 */
/* board-qemu: -drive file=@DISK@,format=raw,if=none,id=d0 -device virtio-blk-device,drive=d0 -device virtio-rng-device */
/* board-mvm: --disk @DISK@ --rng */
/* board-disk-written: 5 */
/*
 * Sections cited "§x" are of Virtual I/O Device (VIRTIO) Version 1.1:
 * 2.1 the device status field, 2.4 the configuration space, 2.6 split
 * virtqueues, 3.1 device initialisation, 4.2 virtio over MMIO, 5.2 the
 * block device, 5.4 the entropy device, 6 reserved feature bits.
 *
 * The disk (run.sh): 64 KiB, 128 sectors of 512 bytes; the 8-byte word i
 * (0..63) of sector s is s << 32 | i, little-endian. The kernel writes
 * sector 5 with 0xaa << 56 | 5 << 32 | i ("board-disk-written: 5"), and
 * run.sh checks the image on the host after the run.
 *
 * Where the devices sit is the board's business: QEMU puts -device
 * virtio-*-device in the highest free transport first, mvm puts --disk at
 * 0x10001000 and --rng after the disks. So nothing printed names a slot.
 *
 * Every wait for the device is bounded (3 s of mtime); a device that never
 * answers shows as a failed check. Nothing here takes an interrupt: mie is
 * 0 and the kernel polls the used rings (§2.6.14), looking at
 * InterruptStatus only as a register.
 */
#include "board.h"

#define VIRTIO_BASE	0x10001000
#define VIRTIO_SLOTS	8
#define VIRTIO_STRIDE	0x1000

/* the MMIO register layout, §4.2.2 (table 4.1); all 32-bit */
#define MMIO_MAGIC	0x000		/* 0x74726976, "virt" */
#define MMIO_VERSION	0x004		/* 2 */
#define MMIO_DEVICE_ID	0x008		/* 0: no device here (§4.2.3.1.1) */
#define MMIO_DEV_FEAT	0x010
#define MMIO_DEV_FEAT_SEL 0x014
#define MMIO_DRV_FEAT	0x020
#define MMIO_DRV_FEAT_SEL 0x024
#define MMIO_QUEUE_SEL	0x030
#define MMIO_QUEUE_NUM_MAX 0x034
#define MMIO_QUEUE_NUM	0x038
#define MMIO_QUEUE_READY 0x044
#define MMIO_QUEUE_NOTIFY 0x050
#define MMIO_INT_STATUS	0x060
#define MMIO_INT_ACK	0x064
#define MMIO_STATUS	0x070
#define MMIO_DESC_LO	0x080
#define MMIO_DESC_HI	0x084
#define MMIO_DRIVER_LO	0x090		/* the available ring */
#define MMIO_DRIVER_HI	0x094
#define MMIO_DEVICE_LO	0x0a0		/* the used ring */
#define MMIO_DEVICE_HI	0x0a4
#define MMIO_CONFIG_GEN	0x0fc
#define MMIO_CONFIG	0x100

#define MAGIC		0x74726976
#define ID_BLOCK	2		/* §5 */
#define ID_ENTROPY	4

/* device status bits, §2.1 */
#define S_ACKNOWLEDGE	1
#define S_DRIVER	2
#define S_DRIVER_OK	4
#define S_FEATURES_OK	8

/* VIRTIO_F_VERSION_1 is feature bit 32 (§6): bit 0 of the upper word */
#define F_VERSION_1_HI	1

/* a split virtqueue of QNUM entries (§2.6) in one 4 KiB block: the
 * descriptor table (16-byte entries, 16-aligned), the available ring
 * (flags, idx, ring[QNUM], used_event; 2-aligned) and the used ring
 * (flags, idx, {id, len}[QNUM], avail_event; 4-aligned) */
#define QNUM		8
#define Q_DESC		0x000
#define Q_AVAIL		0x100
#define Q_USED		0x200
#define DESC_F_NEXT	1		/* §2.6.5 */
#define DESC_F_WRITE	2		/* device-writable */

/* block requests, §5.2.6: a 16-byte header (le32 type, le32 reserved,
 * le64 sector), the data, a status byte the device writes */
#define T_IN		0
#define T_OUT		1
#define T_GET_ID	8
#define BLK_S_OK	0
#define BLK_S_IOERR	1
#define SECTOR		512
#define DISK_SECTORS	128		/* run.sh's 64 KiB image */
#define WRITTEN_TAG	0xaa		/* the top byte of the words written */

#define TIMEOUT		30000000	/* mtime ticks (10 MHz): 3 s */

/* DEVINIT p, base, q: the driver's initialisation (§3.1.1, §4.2.3.1,
 * §4.2.3.2) of the device at register \base with queue 0 in block \q,
 * and its checks, named "\p-...". Leaves the device live (DRIVER_OK). */
.macro DEVINIT p, base, q
	/* reset: writing 0 to Status (§4.2.2); the status is then 0
	 * (§2.1.2) and queue 0 not ready (§4.2.2.1) */
	sw	zero, MMIO_STATUS(\base)
	lw	s2, MMIO_STATUS(\base)
	li	t0, S_ACKNOWLEDGE
	sw	t0, MMIO_STATUS(\base)
	li	t0, S_ACKNOWLEDGE | S_DRIVER
	sw	t0, MMIO_STATUS(\base)
	/* the features (§2.2, §4.2.2): VERSION_1 must be offered by a
	 * version 2 device, and is the only one taken */
	li	t0, 1
	sw	t0, MMIO_DEV_FEAT_SEL(\base)
	lw	s3, MMIO_DEV_FEAT(\base)
	sw	zero, MMIO_DRV_FEAT_SEL(\base)
	sw	zero, MMIO_DRV_FEAT(\base)
	li	t0, 1
	sw	t0, MMIO_DRV_FEAT_SEL(\base)
	li	t0, F_VERSION_1_HI
	sw	t0, MMIO_DRV_FEAT(\base)
	/* FEATURES_OK, read back: still set, so the device took them */
	li	t0, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK
	sw	t0, MMIO_STATUS(\base)
	lw	s4, MMIO_STATUS(\base)
	/* queue 0 (§4.2.3.2): not ready after the reset, QueueNumMax >= 8 */
	sw	zero, MMIO_QUEUE_SEL(\base)
	lw	s5, MMIO_QUEUE_READY(\base)
	lw	s6, MMIO_QUEUE_NUM_MAX(\base)
	li	t0, QNUM
	bltu	s6, t0, 1f
	mv	s6, t0				/* at least QNUM: counts as QNUM */
1:	sw	t0, MMIO_QUEUE_NUM(\base)
	la	t0, \q + Q_DESC
	sw	t0, MMIO_DESC_LO(\base)
	srli	t0, t0, 32
	sw	t0, MMIO_DESC_HI(\base)
	la	t0, \q + Q_AVAIL
	sw	t0, MMIO_DRIVER_LO(\base)
	srli	t0, t0, 32
	sw	t0, MMIO_DRIVER_HI(\base)
	la	t0, \q + Q_USED
	sw	t0, MMIO_DEVICE_LO(\base)
	srli	t0, t0, 32
	sw	t0, MMIO_DEVICE_HI(\base)
	li	t0, 1
	sw	t0, MMIO_QUEUE_READY(\base)
	lw	s7, MMIO_QUEUE_READY(\base)
	/* DRIVER_OK: the device is live */
	li	t0, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK
	sw	t0, MMIO_STATUS(\base)
	lw	s8, MMIO_STATUS(\base)
	CHECK	"\p-reset-status-0", s2, 0
	CHECKM	"\p-offers-version-1", s3, F_VERSION_1_HI, F_VERSION_1_HI
	CHECK	"\p-features-ok-read-back", s4, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK
	CHECK	"\p-queue-0-not-ready-after-reset", s5, 0
	CHECK	"\p-queue-num-max-at-least-8", s6, QNUM
	CHECK	"\p-queue-0-ready", s7, 1
	CHECK	"\p-driver-ok", s8, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK
.endm

	.text
	.globl	main
main:
	addi	sp, sp, -16
	sd	ra, 0(sp)
	csrw	mie, zero

	/* ---- the scan (§4.2.3.1.1): MagicValue, Version, DeviceID of each
	 * transport. Every transport of the virt board answers, an empty one
	 * with DeviceID 0; a load that faults leaves 0 (lib.S skips it) and
	 * is counted. */
	RESET_TRAPS
	li	s0, 0				/* the block device's registers */
	li	s1, 0				/* the entropy device's */
	li	s2, 0				/* transports with magic and version 2 */
	li	s3, 0				/* block devices */
	li	s4, 0				/* entropy devices */
	li	s5, VIRTIO_BASE
	li	s6, VIRTIO_SLOTS
1:	li	t0, 0
	lw	t0, MMIO_MAGIC(s5)
	li	t1, MAGIC
	bne	t0, t1, 4f
	li	t0, 0
	lw	t0, MMIO_VERSION(s5)
	li	t1, 2
	bne	t0, t1, 4f
	addi	s2, s2, 1
	li	t0, 0
	lw	t0, MMIO_DEVICE_ID(s5)
	li	t1, ID_BLOCK
	bne	t0, t1, 2f
	addi	s3, s3, 1
	mv	s0, s5
2:	li	t1, ID_ENTROPY
	bne	t0, t1, 4f
	addi	s4, s4, 1
	mv	s1, s5
4:	li	t0, VIRTIO_STRIDE
	add	s5, s5, t0
	addi	s6, s6, -1
	bnez	s6, 1b
	ld	s7, V_MCOUNT(gp)
	CHECK	"scan-8-transports-magic-version-2", s2, VIRTIO_SLOTS
	CHECK	"scan-no-access-faults", s7, 0
	CHECK	"scan-one-block-device", s3, 1
	CHECK	"scan-one-entropy-device", s4, 1
	la	t0, blk_base
	sd	s0, 0(t0)
	la	t0, rng_base
	sd	s1, 0(t0)

	/* ======== the block device (§5.2) */
	beqz	s0, blk_done
	DEVINIT	blk, s0, blk_q

	/* capacity (§5.2.4): le64 at config offset 0, in 512-byte sectors,
	 * read as two 32-bit halves (§4.2.2.2) with ConfigGeneration the
	 * same before and after (§2.4.1) */
	lw	s2, MMIO_CONFIG_GEN(s0)
	lwu	s3, MMIO_CONFIG + 0(s0)
	lwu	t0, MMIO_CONFIG + 4(s0)
	slli	t0, t0, 32
	or	s3, s3, t0
	lw	s4, MMIO_CONFIG_GEN(s0)
	la	t0, capacity
	sd	s3, 0(t0)
	CHECKR	"blk-config-generation-stable", s4, s2
	CHECK	"blk-capacity-is-image-size-div-512", s3, DISK_SECTORS

	/* ---- read sector 3: header, 512 bytes device-writable, status;
	 * used.len counts the bytes written, data and status (§2.6.8) */
	la	a0, blk_data
	li	a1, 0x5a			/* a canary, not the pattern */
	li	a2, SECTOR
	call	fill_bytes
	li	a0, T_IN
	li	a1, 3
	la	a2, blk_data
	li	a3, SECTOR
	li	a4, DESC_F_WRITE
	call	blk_req
	mv	s2, a0				/* the used buffer came */
	mv	s3, a1				/* used.len */
	mv	s4, a2				/* status */
	mv	s5, a3				/* used.id */
	lw	s6, MMIO_INT_STATUS(s0)
	li	t0, 1
	sw	t0, MMIO_INT_ACK(s0)
	lw	s7, MMIO_INT_STATUS(s0)
	la	a0, blk_data
	li	a1, 3
	li	a2, 0
	call	bad_words
	mv	s8, a0
	CHECK	"blk-read-used", s2, 1
	CHECK	"blk-read-status-ok", s4, BLK_S_OK
	CHECK	"blk-read-used-len-513", s3, SECTOR + 1
	CHECK	"blk-read-used-id-is-head", s5, 0
	CHECK	"blk-read-sector-3-pattern-bad-words", s8, 0
	/* §4.2.2: InterruptStatus bit 0 says the used ring was written;
	 * bit 1 (configuration change) stays clear; InterruptACK clears */
	CHECKM	"blk-interrupt-status-used-buffer", s6, 3, 1
	CHECKM	"blk-interrupt-ack-clears", s7, 3, 0

	/* ---- write sector 5 (T_OUT: the data is device-readable), then
	 * read it back into a buffer cleared first */
	la	a0, blk_data
	li	a1, 5
	li	a2, WRITTEN_TAG
	call	fill_pattern
	li	a0, T_OUT
	li	a1, 5
	la	a2, blk_data
	li	a3, SECTOR
	li	a4, 0
	call	blk_req
	mv	s2, a0
	mv	s3, a1
	mv	s4, a2
	li	t0, 1
	sw	t0, MMIO_INT_ACK(s0)
	la	a0, blk_data
	li	a1, 0
	li	a2, SECTOR
	call	fill_bytes
	li	a0, T_IN
	li	a1, 5
	la	a2, blk_data
	li	a3, SECTOR
	li	a4, DESC_F_WRITE
	call	blk_req
	mv	s5, a0
	mv	s6, a2
	li	t0, 1
	sw	t0, MMIO_INT_ACK(s0)
	la	a0, blk_data
	li	a1, 5
	li	a2, WRITTEN_TAG
	call	bad_words
	mv	s7, a0
	CHECK	"blk-write-used", s2, 1
	CHECK	"blk-write-status-ok", s4, BLK_S_OK
	CHECK	"blk-write-used-len-1", s3, 1	/* only the status byte */
	CHECK	"blk-read-back-used", s5, 1
	CHECK	"blk-read-back-status-ok", s6, BLK_S_OK
	CHECK	"blk-read-back-sector-5-bad-words", s7, 0

	/* ---- a read at sector = capacity, past the end: IOERR. §5.2.6.1
	 * forbids the driver such a request and says nothing of the answer;
	 * QEMU gives IOERR, which the board must give too. used.len is not
	 * compared: QEMU counts the whole writable part (513), mvm the status
	 * byte it wrote. */
	la	t0, capacity
	ld	a1, 0(t0)
	li	a0, T_IN
	la	a2, blk_data
	li	a3, SECTOR
	li	a4, DESC_F_WRITE
	call	blk_req
	mv	s2, a0
	mv	s3, a2
	li	t0, 1
	sw	t0, MMIO_INT_ACK(s0)
	CHECK	"blk-read-past-end-used", s2, 1
	CHECK	"blk-read-past-end-status-ioerr", s3, BLK_S_IOERR

	/* ---- GET_ID (§5.2.6): a 20-byte device-writable buffer; the text
	 * is the device's own (QEMU's serial, mvm's name), so not shown */
	li	a0, T_GET_ID
	li	a1, 0
	la	a2, blk_data
	li	a3, 20
	li	a4, DESC_F_WRITE
	call	blk_req
	mv	s2, a0
	mv	s3, a2
	li	t0, 1
	sw	t0, MMIO_INT_ACK(s0)
	CHECK	"blk-get-id-used", s2, 1
	CHECK	"blk-get-id-status-ok", s3, BLK_S_OK

	sw	zero, MMIO_STATUS(s0)		/* reset: the device lets go */
blk_done:

	/* ======== the entropy device (§5.4): one queue, requestq; the
	 * driver offers device-writable buffers, the device fills them */
	beqz	s1, rng_done
	DEVINIT	rng, s1, rng_q
	la	a0, rng_buf
	li	a1, 0
	li	a2, 64
	call	fill_bytes
	la	t0, rng_q
	la	t1, rng_buf
	sd	t1, Q_DESC + 0(t0)
	li	t1, 64
	sw	t1, Q_DESC + 8(t0)
	li	t1, DESC_F_WRITE
	sh	t1, Q_DESC + 12(t0)
	sh	zero, Q_DESC + 14(t0)
	la	a0, rng_q
	li	a1, 0
	mv	a2, s1
	call	submit
	mv	s2, a0
	mv	s3, a1				/* used.len */
	lw	s4, MMIO_INT_STATUS(s1)
	li	t0, 1
	sw	t0, MMIO_INT_ACK(s1)
	lw	s5, MMIO_INT_STATUS(s1)
	/* s6: the OR of the 64 bytes; s7: bytes unlike the first */
	la	t0, rng_buf
	addi	t1, t0, 64
	lbu	t2, 0(t0)
	li	s6, 0
	li	s7, 0
1:	lbu	t3, 0(t0)
	or	s6, s6, t3
	beq	t3, t2, 2f
	addi	s7, s7, 1
2:	addi	t0, t0, 1
	bltu	t0, t1, 1b
	snez	s6, s6
	snez	s7, s7
	CHECK	"rng-used", s2, 1
	CHECK	"rng-used-len-64", s3, 64
	CHECKM	"rng-interrupt-status-used-buffer", s4, 3, 1
	CHECKM	"rng-interrupt-ack-clears", s5, 3, 0
	CHECK	"rng-bytes-not-all-zero", s6, 1
	CHECK	"rng-bytes-not-all-equal", s7, 1
	sw	zero, MMIO_STATUS(s1)
rng_done:

	ld	ra, 0(sp)
	addi	sp, sp, 16
	ret

/* blk_req(a0 = type, a1 = sector, a2 = data, a3 = its length, a4 = its
 * descriptor flags: DESC_F_WRITE or 0): one request through descriptors
 * 0 (header), 1 (data), 2 (status), chained (§5.2.6). Returns a0 = 1 if
 * the used buffer came (else 0), a1 = used.len, a2 = the status byte
 * (0xff if the device left it), a3 = used.id. */
blk_req:
	addi	sp, sp, -16
	sd	ra, 0(sp)
	la	t0, blk_hdr
	sw	a0, 0(t0)
	sw	zero, 4(t0)
	sd	a1, 8(t0)
	la	t1, blk_status
	li	t2, 0xff
	sb	t2, 0(t1)
	la	t3, blk_q
	/* descriptor: le64 addr, le32 len, le16 flags, le16 next (§2.6.5) */
	sd	t0, Q_DESC + 0(t3)
	li	t4, 16
	sw	t4, Q_DESC + 8(t3)
	li	t4, DESC_F_NEXT
	sh	t4, Q_DESC + 12(t3)
	li	t4, 1
	sh	t4, Q_DESC + 14(t3)
	sd	a2, Q_DESC + 16(t3)
	sw	a3, Q_DESC + 24(t3)
	ori	t4, a4, DESC_F_NEXT
	sh	t4, Q_DESC + 28(t3)
	li	t4, 2
	sh	t4, Q_DESC + 30(t3)
	sd	t1, Q_DESC + 32(t3)
	li	t4, 1
	sw	t4, Q_DESC + 40(t3)
	li	t4, DESC_F_WRITE
	sh	t4, Q_DESC + 44(t3)
	sh	zero, Q_DESC + 46(t3)
	mv	a0, t3
	li	a1, 0
	la	t0, blk_base
	ld	a2, 0(t0)
	call	submit
	la	t1, blk_status
	lbu	a2, 0(t1)
	ld	ra, 0(sp)
	addi	sp, sp, 16
	ret

/* submit(a0 = queue block, a1 = head descriptor, a2 = device registers):
 * makes the chain available (§2.6.13), notifies queue 0 (§4.2.3.3) and
 * polls the used ring (§2.6.14) for at most TIMEOUT. One request at a
 * time, so used.idx catches up with avail.idx. Returns a0 = 1 if it did
 * (else 0), a1 = used.len, a3 = used.id of the new entry. */
submit:
	lhu	t0, Q_AVAIL + 2(a0)		/* avail.idx */
	andi	t1, t0, QNUM - 1
	slli	t1, t1, 1
	add	t1, t1, a0
	sh	a1, Q_AVAIL + 4(t1)		/* avail.ring[idx % QNUM] */
	fence	w, w				/* the entry before the index */
	addi	t0, t0, 1
	slli	t0, t0, 48
	srli	t0, t0, 48
	sh	t0, Q_AVAIL + 2(a0)
	fence	iorw, iorw			/* the rings before the notify */
	sw	zero, MMIO_QUEUE_NOTIFY(a2)	/* queue 0 */
	li	t2, CLINT_BASE + CLINT_MTIME
	ld	t3, 0(t2)
	li	t4, TIMEOUT
	add	t3, t3, t4
1:	lhu	t1, Q_USED + 2(a0)		/* used.idx */
	beq	t1, t0, 2f
	ld	t4, 0(t2)
	bltu	t4, t3, 1b
	li	a0, 0
	li	a1, 0
	li	a3, -1
	ret
2:	fence	r, rw				/* the index before the entry and data */
	addi	t1, t1, -1
	andi	t1, t1, QNUM - 1
	slli	t1, t1, 3
	add	t1, t1, a0
	lwu	a3, Q_USED + 4(t1)		/* used.ring[]: le32 id, le32 len */
	lwu	a1, Q_USED + 8(t1)
	li	a0, 1
	ret

/* fill_bytes(a0 = buffer, a1 = byte, a2 = length): length bytes of it. */
fill_bytes:
	add	t0, a0, a2
1:	sb	a1, 0(a0)
	addi	a0, a0, 1
	bltu	a0, t0, 1b
	ret

/* fill_pattern(a0 = buffer, a1 = sector, a2 = tag): word i of the 64 is
 * tag << 56 | sector << 32 | i. */
fill_pattern:
	slli	t1, a1, 32
	slli	t2, a2, 56
	or	t1, t1, t2
	li	t0, 0
1:	or	t2, t1, t0
	sd	t2, 0(a0)
	addi	a0, a0, 8
	addi	t0, t0, 1
	li	t3, SECTOR / 8
	bltu	t0, t3, 1b
	ret

/* bad_words(a0 = buffer, a1 = sector, a2 = tag): a0 = how many of the 64
 * words differ from fill_pattern's. */
bad_words:
	slli	t1, a1, 32
	slli	t2, a2, 56
	or	t1, t1, t2
	li	t0, 0
	li	t4, 0
1:	or	t2, t1, t0
	ld	t3, 0(a0)
	beq	t2, t3, 2f
	addi	t4, t4, 1
2:	addi	a0, a0, 8
	addi	t0, t0, 1
	li	t3, SECTOR / 8
	bltu	t0, t3, 1b
	mv	a0, t4
	ret

	.bss
	.align	12
blk_q:	.space	0x1000
rng_q:	.space	0x1000
	.align	9
blk_data: .space SECTOR
	.align	4
blk_hdr: .space	16
rng_buf: .space	64
blk_status: .space 8
	.align	3
blk_base: .space 8
rng_base: .space 8
capacity: .space 8
