#!/usr/bin/env bash
# Benchmark: `vigil series --bulk --method farringtonFlexible` against R
# surveillance's own farringtonFlexible on the same synthetic weekly series,
# and a check that both give the same upper bounds (relative 1e-6) and alarms
# at every point.
#   tools/benchmark_series_vs_r.sh [VIGIL] [SERIES] [REPEATS]
#   (defaults: build/vigil, 30, 20)
# R needs about 1.5 s of CPU a series and setting, so the default of 30 series
# keeps a run under 2 minutes on 2 busy cores; pass 200 for a longer check.
#
# SERIES deterministic negative binomial (or Poisson) series of 104 weeks are
# generated (means 5..200, seasonality, a mild trend; every fourth has a rise
# planted in its last 1-4 weeks) into one bulk CSV (`epoch,s1,s2,...`, one
# column per series, as `vigil series --bulk` reads it) and each is judged over
# 56:104, R's default range for b=1 and frequency 52 (freq*b + w + 1 to the
# end), under two settings:
#   noufaily: the params of category_national_weekly in config/vigil.yaml;
#   original: the original Farrington settings of the reference cases
#             (../shared/reference/surveillance/cases.tsv) with b=1.
# R: one Rscript process per setting loops over every series. "R in-R" times
# only the farringtonFlexible calls (proc.time: user + system CPU, and elapsed);
# "R process" is the wall clock of the whole Rscript process (start-up, loading
# the package, reading the CSV, writing the results).
# vigil: one `vigil series --bulk` process per setting over all the series,
# run REPEATS times (the first one's output is compared with R). Its time per
# series is the CPU time (user + system) of those processes divided by
# REPEATS x SERIES: "incl. start" as measured, "excl. start" less the CPU time
# of as many `vigil series --help` runs (process start and argument parsing).
# CPU rather than wall clock because the machine is shared and wall clock too
# noisy to subtract. The ratio is R's in-R CPU per series over vigil's.
#
# R (r-base-core, r-cran-surveillance; surveillance 1.20.3 is what vigil is
# validated against) is a dependency of this benchmark only, never of vigil at
# run time. Without it the script says so and exits 2.
# Exit status: 0 when every point agrees; 1 on any disagreement or failure;
# 2 when R or surveillance is missing or the arguments are wrong.
set -euo pipefail
cd "$(dirname "$0")/.."

vigil=${1:-build/vigil}
count=${2:-30}
repeats=${3:-20}
[[ -x "$vigil" ]] || { echo "benchmark: no executable vigil at $vigil (bash tools/build.sh)" >&2; exit 2; }
[[ "$count" =~ ^[1-9][0-9]*$ ]] || { echo "benchmark: SERIES '$count' is not a positive number" >&2; exit 2; }
[[ "$repeats" =~ ^[1-9][0-9]*$ ]] || { echo "benchmark: REPEATS '$repeats' is not a positive number" >&2; exit 2; }

readonly range_first=56 range_last=104 freq=52 tolerance=1e-6
readonly setting_names=(noufaily original)
readonly setting_params=(
  "b=1 w=3 reweight=TRUE weightsThreshold=2.58 alpha=0.005 trend=TRUE pThresholdTrend=1 limit54=5,4 powertrans=2/3 noPeriods=10 pastWeeksNotIncluded=26 thresholdMethod=nbPlugin"
  "b=1 w=3 reweight=TRUE weightsThreshold=1 alpha=0.05 trend=TRUE pThresholdTrend=0.05 limit54=5,4 powertrans=2/3 noPeriods=1 pastWeeksNotIncluded=3 thresholdMethod=delta"
)

if ! command -v Rscript >/dev/null; then
  echo "benchmark: R is not installed (Rscript not found); it needs r-base-core and" \
    "r-cran-surveillance, e.g. apt-get install r-base-core r-cran-surveillance" >&2
  exit 2
fi
if ! Rscript -e 'quit(status = !requireNamespace("surveillance", quietly = TRUE))' 2>/dev/null; then
  echo "benchmark: R has no surveillance package; apt-get install r-cran-surveillance" >&2
  exit 2
fi
r_version=$(Rscript -e 'cat(R.version$major, ".", R.version$minor, sep = "")')
surveillance_version=$(Rscript -e 'cat(format(packageVersion("surveillance")))')
[[ "$surveillance_version" == 1.20.3 ]] ||
  echo "benchmark: surveillance $surveillance_version, vigil follows 1.20.3" >&2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# measure FILE COMMAND...: runs COMMAND (stdout and stderr untouched) and
# writes "wall user system" seconds to FILE, the CPU times including children.
measure() {
  local file=$1
  shift
  local TIMEFORMAT='%3R %3U %3S'
  { time "$@" 2>&3; } 3>&2 2>"$file"
}
# calc EXPRESSION [A [B [C]]]: awk arithmetic with a, b, c bound to A, B, C.
calc() { awk -v a="${2:-0}" -v b="${3:-0}" -v c="${4:-0}" "BEGIN { printf \"%s\", $1 }"; }

# --- the series (not timed) ---------------------------------------------------
cat >"$work/generate.R" <<'REOF'
args <- commandArgs(trailingOnly = TRUE)
count <- as.integer(args[1]); path <- args[2]
RNGkind("Mersenne-Twister", "Inversion", "Rejection")
set.seed(20261128)
weeks <- 1:104
means <- exp(seq(log(5), log(200), length.out = count))
counts <- matrix(0L, nrow = 104, ncol = count)
for (i in seq_len(count)) {
  amplitude <- runif(1, 0, 0.6)
  phase <- runif(1, 0, 2 * pi)
  slope <- runif(1, -0.002, 0.004)
  mu <- means[i] * exp(amplitude * sin(2 * pi * weeks / 52 + phase) + slope * (weeks - 52))
  if (i %% 4 == 0) {
    risen <- (104 - sample.int(4, 1) + 1):104
    mu[risen] <- mu[risen] * runif(1, 1.5, 3)
  }
  size <- c(2, 5, 10, 50, Inf)[(i - 1) %% 5 + 1]
  counts[, i] <- if (is.finite(size)) rnbinom(104, mu = mu, size = size) else rpois(104, mu)
}
colnames(counts) <- paste0("s", seq_len(count))
write.csv(data.frame(epoch = weeks, counts), path, row.names = FALSE, quote = FALSE)
REOF
Rscript "$work/generate.R" "$count" "$work/series.csv"

# --- R: one process per setting ------------------------------------------------
cat >"$work/run.R" <<'REOF'
args <- commandArgs(trailingOnly = TRUE)
path <- args[1]; out <- args[2]
first <- as.integer(args[3]); last <- as.integer(args[4]); freq <- as.integer(args[5])
suppressPackageStartupMessages(library(surveillance))
# "NAME=VALUE ..." as in cases.tsv to R's control list.
control <- list(range = first:last)
for (assignment in strsplit(args[6], " ")[[1]]) {
  name <- sub("=.*", "", assignment); value <- sub("^[^=]*=", "", assignment)
  control[[name]] <- if (value %in% c("TRUE", "FALSE")) as.logical(value)
    else if (grepl(",", value)) as.numeric(strsplit(value, ",")[[1]])
    else if (!is.na(suppressWarnings(as.numeric(value)))) as.numeric(value)
    else value
}
d <- read.csv(path, check.names = FALSE)
names <- setdiff(colnames(d), "epoch")
series <- lapply(names, function(n) sts(observed = matrix(d[[n]]), frequency = freq))
results <- vector("list", length(series))
warned <- 0L
started <- proc.time()
for (i in seq_along(series)) {
  results[[i]] <- withCallingHandlers(
    farringtonFlexible(series[[i]], control),
    warning = function(w) { warned <<- warned + 1L; invokeRestart("muffleWarning") })
}
used <- proc.time() - started
lines <- "series,t,epoch,observed,upperbound,alarm"
for (i in seq_along(series)) {
  u <- upperbound(results[[i]])[, 1]
  a <- as.integer(alarms(results[[i]])[, 1])
  lines <- c(lines, paste(names[i], first:last, first:last, observed(results[[i]])[, 1],
                          ifelse(is.na(u), "NA", sprintf("%.17g", u)),
                          ifelse(is.na(a), "NA", a), sep = ","))
}
writeLines(lines, out)
cat(sprintf("%.3f %.3f %d\n", used[["elapsed"]], used[["user.self"]] + used[["sys.self"]],
            warned))
REOF

# compare R VIGIL SETTING: every point of every series (both files in the bulk
# output form): same series, t and observed, both upper bounds NA or within
# `tolerance` relative, same alarm. Prints "points alarms bad_points
# bad_series" on stdout and up to 10 mismatches on stderr.
compare() {
  awk -F, -v tol="$tolerance" -v setting="$3" '
    function abs(x) { return x < 0 ? -x : x }
    function report(why) {
      if (++shown <= 10) printf "mismatch %s line %d: %s\n", setting, FNR, why > "/dev/stderr"
    }
    NR == FNR { r[FNR] = $0; rows = FNR; next }
    FNR == 1 { continue_ = 1; next }
    {
      vrows = FNR
      if (!(FNR in r)) { report("vigil has more rows than R"); bad++; next }
      split(r[FNR], x, ",")
      points++; alarms += (x[6] == 1)
      why = ""
      if (x[1] != $1 || x[2] != $2 || x[4] != $4) why = "rows out of step"
      else if ((x[5] == "NA") != ($5 == "NA")) why = "upperbound NA in one only"
      else if (x[5] != "NA") {
        m = abs(x[5]) > abs($5) ? abs(x[5]) : abs($5)
        if (abs(x[5] - $5) > tol * m) why = "upperbound differs"
      }
      if (why == "" && x[6] != $6) why = "alarm differs"
      if (why != "") {
        report($1 " t=" $2 " " why " (R " x[5] " " x[6] ", vigil " $5 " " $6 ")")
        bad++; bad_series[$1] = 1
      }
    }
    END {
      if (vrows != rows) { report("R has " rows " lines, vigil " vrows); bad++ }
      n = 0; for (s in bad_series) n++
      printf "%d %d %d %d\n", points, alarms, bad + 0, n
    }' "$1" "$2"
}

# run_vigil_help: `vigil series --help` REPEATS times, the cost of starting.
run_vigil_help() {
  local i
  for ((i = 1; i <= repeats; i++)); do "$vigil" series --help >/dev/null; done
}

# run_vigil SETTING: `vigil series --bulk` over every series REPEATS times.
run_vigil() {
  local i
  for ((i = 1; i <= repeats; i++)); do
    "$vigil" series --bulk --method farringtonFlexible --input "$work/series.csv" \
      --range "$range_first:$range_last" --freq "$freq" "${vigil_params[@]}" \
      >"$work/vigil-$1.csv" || { echo "benchmark: vigil series failed" >&2; failed=1; return; }
  done
}

load=$(cut -d' ' -f1-3 /proc/loadavg)
"$vigil" series --help >/dev/null   # page cache warm before anything is timed
measure "$work/time-start" run_vigil_help
read -r _ start_user start_system <"$work/time-start"
start_cpu=$(calc 'a + b' "$start_user" "$start_system")

rows=()
failed=0
for s in "${!setting_names[@]}"; do
  name=${setting_names[$s]}
  read -r -a assignments <<<"${setting_params[$s]}"
  vigil_params=()
  for assignment in "${assignments[@]}"; do vigil_params+=(--param "$assignment"); done

  measure "$work/time-r" Rscript "$work/run.R" "$work/series.csv" "$work/r-$name.csv" \
    "$range_first" "$range_last" "$freq" "${setting_params[$s]}" >"$work/r-out"
  read -r r_process_seconds _ <"$work/time-r"
  read -r r_seconds r_cpu r_warnings <"$work/r-out"

  measure "$work/time-vigil" run_vigil "$name"
  read -r _ vigil_user vigil_system <"$work/time-vigil"
  vigil_cpu=$(calc 'a + b' "$vigil_user" "$vigil_system")

  read -r points alarms bad_points bad_series \
    <<<"$(compare "$work/r-$name.csv" "$work/vigil-$name.csv" "$name")"
  if ((bad_points > 0)); then
    agreement="$bad_points of $points points differ ($bad_series series)"
    failed=1
  else
    agreement="all $points points"
  fi
  r_ms=$(calc 'a * 1000 / b' "$r_cpu" "$count")
  vigil_ms=$(calc 'a * 1000 / (b * c)' "$vigil_cpu" "$repeats" "$count")
  vigil_bare_ms=$(calc 'a * 1000 / (b * c)' "$(calc 'a - b' "$vigil_cpu" "$start_cpu")" \
    "$repeats" "$count")
  rows+=("$(printf '%-9s %6d %9.1f %9.1f %9.1f %11.3f %11.3f %9.0fx %9.0fx %7d  %s' \
    "$name" "$count" "$r_ms" "$(calc 'a * 1000 / b' "$r_seconds" "$count")" \
    "$r_process_seconds" "$vigil_ms" "$vigil_bare_ms" \
    "$(calc 'a / b' "$r_ms" "$vigil_ms")" "$(calc 'a / b' "$r_ms" "$vigil_bare_ms")" \
    "$alarms" "$agreement")")
  ((r_warnings == 0)) || echo "benchmark: R warned $r_warnings times under $name" >&2
done

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
echo "farringtonFlexible, $count series of 104 weeks, range $range_first:$range_last, freq $freq;" \
  "vigil: one --bulk call per setting, $repeats times"
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores ($cpu), load average $load;" \
  "R $r_version, surveillance $surveillance_version, vigil $("$vigil" --version)"
printf 'vigil process start (series --help): %.1f ms CPU\n' "$(calc 'a * 1000 / b' "$start_cpu" "$repeats")"
echo
header='%-9s %6s %9s %9s %9s %11s %11s %10s %10s %7s  %s\n'
printf "$header" "" "" "R in-R" "R in-R" "R" "vigil CPU" "vigil CPU" "ratio" "ratio" "" ""
printf "$header" setting series "CPU ms/s." "wall ms/s." "process s" "ms/series" "ms/series" "CPU" "CPU excl." \
  alarms "agreement (rel. $tolerance, alarms equal)"
printf "$header" "" "" "" "" "" "incl. start" "excl. start" "" "start" "" ""
printf '%s\n' "${rows[@]}"
((failed == 0)) || echo "benchmark: vigil and R disagree or vigil failed (see above)" >&2
exit "$failed"
