/* crc32.c — table lookups of bytes with shifts and masks: CRC-32 (the
 * reflected IEEE 802.3 polynomial 0xEDB88320, as zlib, PNG and Ethernet),
 * one byte at a time through a 256-entry table, over SIZE MiB of generated
 * data, in passes over a 1 MiB buffer. The same load-shift-mask-xor chain
 * is the core of AES T-table rounds and Huffman decoders.
 *
 * Self-test: the CRC-32 of the nine bytes "123456789" is 0xCBF43926 (the
 * check value every CRC catalogue gives for this polynomial). */
#include "kernel.h"

static uint32_t table[256];

static void make_table(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		table[i] = c;
	}
}

static uint32_t crc32(uint32_t crc, const uint8_t *p, size_t n)
{
	crc = ~crc;
	for (size_t i = 0; i < n; i++)
		crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

int main(int argc, char **argv)
{
	uint64_t mib = kernel_size(argc, argv, 300);
	make_table();
	if (crc32(0, (const uint8_t *)"123456789", 9) != 0xCBF43926u) {
		fprintf(stderr, "crc32 self-test: CRC-32 of \"123456789\" is not 0xCBF43926\n");
		return 1;
	}
	size_t n = 1 << 20;
	uint8_t *buf = xmalloc(n);
	uint64_t s = 7;
	for (size_t i = 0; i < n; i++)   /* byte by byte: the same on every host */
		buf[i] = (uint8_t)(rng_next(&s) >> 56);
	uint32_t crc = 0;
	for (uint64_t pass = 0; pass < mib; pass++) {
		crc = crc32(crc, buf, n);
		buf[pass % n] ^= (uint8_t)crc;   /* each pass sees different data */
	}
	printf("crc32 mib=%llu crc=%08x\n", (unsigned long long)mib, crc);
	free(buf);
	return 0;
}
