/* SPDX-License-Identifier: Apache-2.0 */
/*
 * progress.h: progress lines on stderr for the tools (core/progress.h's
 * printer).  br_cli_begin starts them (--progress 1, --no-progress 0,
 * -1: when stderr is a terminal) and br_cli_end ends them.
 */
#ifndef BR_CLI_PROGRESS_H
#define BR_CLI_PROGRESS_H

void br_cli_progress_start(int want);
void br_cli_progress_end(void);
/* End a progress line left open on a terminal, so that a diagnostic
 * starts on a line of its own (br_warn calls it). */
void br_cli_progress_break(void);
/* Start the run's clock (br_cli_init). */
void br_cli_clock_start(void);
/* Seconds since br_cli_clock_start (else br_cli_progress_start). */
double br_cli_elapsed(void);

#endif
