/* md5.c — rotates and additions in a tight loop: MD5 (RFC 1321) of SIZE
 * MiB of generated data, 1 MiB at a time, each digest fed into the next
 * buffer. 64 steps per 64-byte block, each a boolean function, three
 * additions and a rotate by a constant, all dependent.
 *
 * Self-test, the RFC's own test suite (appendix A.5): MD5("") =
 * d41d8cd98f00b204e9800998ecf8427e, MD5("abc") =
 * 900150983cd24fb0d6963f7d28e17f72, MD5("message digest") =
 * f96b697d7cb7938d525a2f31aaf161d0. */
#include "kernel.h"
#include <string.h>

struct md5 {
	uint32_t h[4];
	uint64_t len;
	uint8_t buf[64];
	size_t used;
};

static const uint32_t K[64] = {
	0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
	0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
	0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
	0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
	0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
	0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
	0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
	0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};
static const int R[64] = {
	7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
	5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
	4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
	6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
};

static uint32_t rol(uint32_t x, int r) { return x << r | x >> (32 - r); }

static void block(uint32_t h[4], const uint8_t *p)
{
	uint32_t m[16];
	for (int i = 0; i < 16; i++)   /* little-endian words, on any host */
		m[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 | (uint32_t)p[4 * i + 2] << 16 |
		       (uint32_t)p[4 * i + 3] << 24;
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
	for (int i = 0; i < 64; i++) {
		uint32_t f;
		int g;
		if (i < 16) { f = (b & c) | (~b & d); g = i; }
		else if (i < 32) { f = (d & b) | (~d & c); g = (5 * i + 1) & 15; }
		else if (i < 48) { f = b ^ c ^ d; g = (3 * i + 5) & 15; }
		else { f = c ^ (b | ~d); g = (7 * i) & 15; }
		uint32_t t = d;
		d = c;
		c = b;
		b = b + rol(a + f + K[i] + m[g], R[i]);
		a = t;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d;
}

static void md5(const uint8_t *p, size_t n, uint8_t out[16])
{
	uint32_t h[4] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476 };
	size_t i = 0;
	for (; i + 64 <= n; i += 64)
		block(h, p + i);
	uint8_t tail[128] = { 0 };
	size_t r = n - i;
	memcpy(tail, p + i, r);
	tail[r] = 0x80;
	size_t tl = r + 9 <= 64 ? 64 : 128;
	uint64_t bits = (uint64_t)n * 8;
	for (int k = 0; k < 8; k++)
		tail[tl - 8 + k] = (uint8_t)(bits >> (8 * k));
	block(h, tail);
	if (tl == 128)
		block(h, tail + 64);
	for (int k = 0; k < 16; k++)
		out[k] = (uint8_t)(h[k / 4] >> (8 * (k % 4)));
}

static int check(const char *msg, const char *hex)
{
	uint8_t d[16];
	char got[33];
	md5((const uint8_t *)msg, strlen(msg), d);
	for (int i = 0; i < 16; i++)
		snprintf(got + 2 * i, 3, "%02x", d[i]);
	if (strcmp(got, hex) == 0)
		return 0;
	fprintf(stderr, "md5 self-test: MD5(\"%s\") = %s, want %s\n", msg, got, hex);
	return 1;
}

int main(int argc, char **argv)
{
	uint64_t mib = kernel_size(argc, argv, 400);
	if (check("", "d41d8cd98f00b204e9800998ecf8427e") || check("abc", "900150983cd24fb0d6963f7d28e17f72") ||
	    check("message digest", "f96b697d7cb7938d525a2f31aaf161d0"))
		return 1;
	size_t n = 1 << 20;
	uint8_t *buf = xmalloc(n);
	uint64_t s = 11;
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)(rng_next(&s) >> 56);
	uint8_t d[16] = { 0 };
	for (uint64_t pass = 0; pass < mib; pass++) {
		memcpy(buf + (pass * 16) % (n - 16), d, 16);   /* each pass sees the last digest */
		md5(buf, n, d);
	}
	printf("md5 mib=%llu digest=", (unsigned long long)mib);
	for (int i = 0; i < 16; i++)
		printf("%02x", d[i]);
	printf("\n");
	free(buf);
	return 0;
}
