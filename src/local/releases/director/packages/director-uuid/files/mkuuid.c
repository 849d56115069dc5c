/* Prints a random RFC 4122 version 4 UUID read from /dev/urandom. */
#include <stdio.h>

int main(void) {
  unsigned char b[16];
  FILE *random = fopen("/dev/urandom", "rb");
  if (random == NULL || fread(b, 1, sizeof b, random) != sizeof b) {
    perror("mkuuid: /dev/urandom");
    return 1;
  }
  fclose(random);
  b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
  b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
  for (int i = 0; i < 16; i++) {
    printf("%02x%s", b[i], (i == 3 || i == 5 || i == 7 || i == 9) ? "-" : "");
  }
  printf("\n");
  return 0;
}
