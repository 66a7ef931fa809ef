/* main.c — the chainsim program; everything is in cli.c. */
#include "cli.h"

int main(int argc, char **argv)
{
  return cs_cli_main(argc, argv);
}
