/* cpu.c — the CPU-bound kernel of bench/board: in M mode an Sv39 root
 * table of two identity gigapages (0-1 GiB: the devices; 2-3 GiB: RAM),
 * then in S mode, paging on, cpu_work (work.h), its checksum on the UART,
 * power off. */
#include "rt.h"
#include "work.h"

static uint64_t root[512] __attribute__((aligned(4096)));

uint64_t m_setup(void)
{
	root[0] = PTE_LEAF(0, PTE_R | PTE_W);			/* devices */
	root[2] = PTE_LEAF(2 * GIGA, PTE_R | PTE_W | PTE_X);	/* RAM */
	return SATP_SV39(root);
}

int s_main(void)
{
	putstr("cpu checksum ");
	puthex(cpu_work(CPU_ITERS));
	putch('\n');
	return 0;
}

REPORT_TRAP_IMPL
