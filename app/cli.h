/* cli.h — the chainsim command line (docs/scenarios.md, "The command line").
 *
 *   chainsim run [SCENARIO.lua] [--seed N] [--out DIR] [--set KEY=VALUE]...
 *                [--trace FILE] [--quiet] [--no-figures]
 *                [--baseline OLD/results.json [--tolerance 5%]]
 *   chainsim diagram [SCENARIO.lua] [--format svg|png|pdf|mermaid|dot] [-o FILE]
 *                    [--seed N] [--set KEY=VALUE]...
 *   chainsim study [SCENARIO.lua] [--grid KEY=SPEC]... [--replications N] ...
 *                  (study.h)
 *   chainsim --help | --version
 *
 * run writes results.json, timeseries.csv, the figures of sim:plot and the
 * default figures (topology.svg, chains.png, bandwidth.png) as one set that
 * replaces --out whole (outset.h).
 * diagram runs the scenario without writing results and draws its network
 * as the run left it: to -o (format from --format or the extension; default
 * topology.svg here), Mermaid and DOT text to stdout without -o.
 *
 * Exit status: 0 ran and every expectation held (and no key metric moved past
 * the baseline tolerance); 1 an expectation failed or a metric moved; 2 bad
 * usage or a bad scenario (nothing is written); 3 internal error. */
#pragma once

#define CS_EXIT_OK 0
#define CS_EXIT_FAILED 1
#define CS_EXIT_USAGE 2
#define CS_EXIT_INTERNAL 3

/* Runs the command line; returns the exit status. */
int cs_cli_main(int argc, char **argv);
