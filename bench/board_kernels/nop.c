/* nop.c — the start-up anchor of bench/board: what cpu.c does (the Sv39
 * table, S mode, the checksum on the UART, power off) with no iterations
 * of its loop, so that its time is what starting the emulator, loading
 * the ELF, entering S mode and powering off cost. 128 MiB. */
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
	putstr("nop checksum ");
	puthex(cpu_work(0));
	putch('\n');
	return 0;
}

REPORT_TRAP_IMPL
