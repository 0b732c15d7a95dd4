/* tlb.c — the TLB-heavy kernel of bench/board (512 MiB of RAM). In M mode
 * it builds an Sv39 table: identity gigapages for the devices (0-1 GiB)
 * and RAM (2-3 GiB), and the 256 MiB at virtual 0x40000000 in 4 KiB
 * pages — 65536 leaf PTEs in 128 level-0 tables — onto the physical pages
 * of 0x90000000-0x9fffffff (the upper half of RAM), scattered: virtual
 * page v is physical page (v * 40503) mod 65536, a permutation. Then in
 * S mode tlb_work (work.h) over that memory, its checksum on the UART,
 * power off. */
#include "rt.h"
#include "work.h"

#define VBASE	0x40000000ull
#define PBASE	0x90000000ull
#define PAGES	(TLB_BYTES >> 12)	/* 65536 */

static uint64_t root[512] __attribute__((aligned(4096)));
static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l0[PAGES / 512][512] __attribute__((aligned(4096)));

uint64_t m_setup(void)
{
	root[0] = PTE_LEAF(0, PTE_R | PTE_W);			/* devices */
	root[1] = PTE_PTR(l1);					/* VBASE */
	root[2] = PTE_LEAF(2 * GIGA, PTE_R | PTE_W | PTE_X);	/* RAM */
	for (uint64_t t = 0; t < PAGES / 512; t++)
		l1[t] = PTE_PTR(l0[t]);
	for (uint64_t v = 0; v < PAGES; v++) {
		uint64_t p = (v * 40503) & (PAGES - 1);
		l0[v / 512][v % 512] = PTE_LEAF(PBASE + (p << 12), PTE_R | PTE_W);
	}
	return SATP_SV39(root);
}

int s_main(void)
{
	putstr("tlb checksum ");
	puthex(tlb_work((volatile uint64_t *)VBASE, TLB_ACCESSES));
	putch('\n');
	return 0;
}

REPORT_TRAP_IMPL
