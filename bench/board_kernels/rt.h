/* rt.h — the bench/board kernels' small runtime: UART output (16550 at
 * 0x10000000, byte registers, identity-mapped) and the Sv39 bits. */
#ifndef RT_H
#define RT_H
#include <stdint.h>

#define UART		((volatile uint8_t *)0x10000000)
#define UART_LSR	5
#define UART_THRE	0x20

static inline void putch(int c)
{
	while (!(UART[UART_LSR] & UART_THRE))
		;
	UART[0] = (uint8_t)c;
}

static inline void putstr(const char *s)
{
	while (*s)
		putch(*s++);
}

/* "0x" and 16 hex digits, as the host's printf("0x%016llx") */
static inline void puthex(uint64_t x)
{
	putstr("0x");
	for (int i = 60; i >= 0; i -= 4)
		putch("0123456789abcdef"[(x >> i) & 15]);
}

/* Sv39 (priv §4.4): PTE bits; A and D are set in every leaf, since the
 * board faults on a clear A or D (Svade) where qemu sets them itself. */
#define PTE_V	(1u << 0)
#define PTE_R	(1u << 1)
#define PTE_W	(1u << 2)
#define PTE_X	(1u << 3)
#define PTE_A	(1u << 6)
#define PTE_D	(1u << 7)
#define PTE_LEAF(pa, perm)	((((uint64_t)(pa) >> 12) << 10) | (perm) | PTE_V | PTE_A | PTE_D)
#define PTE_PTR(table)		((((uint64_t)(uintptr_t)(table) >> 12) << 10) | PTE_V)
#define SATP_SV39(root)		((8ull << 60) | ((uint64_t)(uintptr_t)(root) >> 12))
#define GIGA	(1ull << 30)

void report_trap(uint64_t cause, uint64_t epc, uint64_t tval);

#define REPORT_TRAP_IMPL \
void report_trap(uint64_t cause, uint64_t epc, uint64_t tval) \
{ \
	putstr("trap mcause "); puthex(cause); \
	putstr(" mepc "); puthex(epc); \
	putstr(" mtval "); puthex(tval); \
	putch('\n'); \
}

#endif
