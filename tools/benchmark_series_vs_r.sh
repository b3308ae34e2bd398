#!/usr/bin/env bash
# Benchmark: `vigil series --method farringtonFlexible` against R surveillance's
# own farringtonFlexible on the same synthetic weekly series, and a check that
# both give the same upper bounds (relative 1e-6) and alarms at every point.
#   tools/benchmark_series_vs_r.sh [VIGIL] [SERIES]   (defaults: build/vigil, 30)
# R needs about 1.5 s of CPU a series and setting, so the default of 30 series
# keeps a run under 3 minutes on 2 busy cores; pass 200 for a longer check.
#
# SERIES deterministic negative binomial (or Poisson) series of 104 weeks are
# generated (means 5..200, seasonality, a mild trend; every fourth has a rise
# planted in its last 1-4 weeks) and each is judged over 56:104, R's default
# range for b=1 and frequency 52 (freq*b + w + 1 to the end), under two settings:
#   noufaily: the params of category_national_weekly in config/vigil.yaml;
#   original: the original Farrington settings of the reference cases
#             (../shared/reference/surveillance/cases.tsv) with b=1.
# R: one Rscript process per setting loops over every series. "R calls" times
# only the farringtonFlexible calls (proc.time: elapsed, and user + system for
# CPU); "R whole process" is the wall clock of the Rscript process (start-up,
# loading the package, reading the CSVs, writing the results).
# vigil: one `vigil series` process per series, as the command line is used;
# "vigil s" is the wall clock of all of them, process start included. "excl.
# start" subtracts the CPU time of as many `vigil series --help` runs (process
# start and argument parsing; CPU rather than wall clock, which is too noisy on
# a shared machine to subtract); what is left is reading the CSV, the fits and
# writing the result. Speed-ups are R calls over vigil: wall and CPU with
# vigil's process start included (and R's excluded), and CPU without it.
#
# R (r-base-core, r-cran-surveillance; surveillance 1.20.3 is what vigil is
# validated against) is a dependency of this benchmark only, never of vigil at
# run time; it is installed with apt-get when missing (root or sudo).
# Exit status: 0 when every point agrees; 1 on any disagreement or failure.
set -euo pipefail
cd "$(dirname "$0")/.."

vigil=${1:-build/vigil}
count=${2:-30}
[[ -x "$vigil" ]] || { echo "benchmark: no executable vigil at $vigil (bash tools/build.sh)" >&2; exit 1; }
[[ "$count" =~ ^[1-9][0-9]*$ ]] || { echo "benchmark: SERIES '$count' is not a positive number" >&2; exit 1; }

readonly range_first=56 range_last=104 freq=52 tolerance=1e-6
readonly setting_names=(noufaily original)
readonly setting_params=(
  "b=1 w=3 reweight=TRUE weightsThreshold=2.58 alpha=0.005 trend=TRUE pThresholdTrend=1 limit54=5,4 powertrans=2/3 noPeriods=10 pastWeeksNotIncluded=26 thresholdMethod=nbPlugin"
  "b=1 w=3 reweight=TRUE weightsThreshold=1 alpha=0.05 trend=TRUE pThresholdTrend=0.05 limit54=5,4 powertrans=2/3 noPeriods=1 pastWeeksNotIncluded=3 thresholdMethod=delta"
)

if ! command -v Rscript >/dev/null ||
   ! Rscript -e 'quit(status = !requireNamespace("surveillance", quietly = TRUE))' 2>/dev/null; then
  echo "benchmark: installing R and surveillance (benchmark-only dependency)" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends r-base-core r-cran-surveillance
fi
r_version=$(Rscript -e 'cat(R.version$major, ".", R.version$minor, sep = "")')
surveillance_version=$(Rscript -e 'cat(format(packageVersion("surveillance")))')
[[ "$surveillance_version" == 1.20.3 ]] ||
  echo "benchmark: surveillance $surveillance_version, vigil follows 1.20.3" >&2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/series"

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
cat >"$work/generate.R" <<'EOF'
args <- commandArgs(trailingOnly = TRUE)
count <- as.integer(args[1]); dir <- args[2]
RNGkind("Mersenne-Twister", "Inversion", "Rejection")
set.seed(20261128)
weeks <- 1:104
means <- exp(seq(log(5), log(200), length.out = count))
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
  y <- if (is.finite(size)) rnbinom(104, mu = mu, size = size) else rpois(104, mu)
  writeLines(c("t,epoch,observed", paste(weeks, weeks, y, sep = ",")),
             file.path(dir, paste0(i, ".csv")))
}
EOF
Rscript "$work/generate.R" "$count" "$work/series"

# --- R: one process per setting ------------------------------------------------
cat >"$work/run.R" <<'EOF'
args <- commandArgs(trailingOnly = TRUE)
count <- as.integer(args[1]); series_dir <- args[2]; out_dir <- args[3]
first <- as.integer(args[4]); last <- as.integer(args[5]); freq <- as.integer(args[6])
suppressPackageStartupMessages(library(surveillance))
# "NAME=VALUE ..." as in cases.tsv to R's control list.
control <- list(range = first:last)
for (assignment in strsplit(args[7], " ")[[1]]) {
  name <- sub("=.*", "", assignment); value <- sub("^[^=]*=", "", assignment)
  control[[name]] <- if (value %in% c("TRUE", "FALSE")) as.logical(value)
    else if (grepl(",", value)) as.numeric(strsplit(value, ",")[[1]])
    else if (!is.na(suppressWarnings(as.numeric(value)))) as.numeric(value)
    else value
}
series <- lapply(seq_len(count), function(i) {
  d <- read.csv(file.path(series_dir, paste0(i, ".csv")))
  sts(observed = matrix(d$observed), frequency = freq)
})
results <- vector("list", count)
warned <- 0L
started <- proc.time()
for (i in seq_len(count)) {
  results[[i]] <- withCallingHandlers(
    farringtonFlexible(series[[i]], control),
    warning = function(w) { warned <<- warned + 1L; invokeRestart("muffleWarning") })
}
used <- proc.time() - started
for (i in seq_len(count)) {
  u <- upperbound(results[[i]])[, 1]
  a <- as.integer(alarms(results[[i]])[, 1])
  writeLines(c("t,epoch,observed,upperbound,alarm",
               paste(first:last, first:last, observed(results[[i]])[, 1],
                     ifelse(is.na(u), "NA", sprintf("%.17g", u)),
                     ifelse(is.na(a), "NA", a), sep = ",")),
             file.path(out_dir, paste0(i, ".csv")))
}
cat(sprintf("%.3f %.3f %d\n", used[["elapsed"]], used[["user.self"]] + used[["sys.self"]],
            warned))
EOF

# Every point of every series: same t and observed, both upper bounds NA or
# within `tolerance` relative, same alarm. Prints "points alarms bad_points
# bad_series" on stdout and up to 10 mismatches on stderr.
compare() {
  awk -v count="$count" -v rdir="$1" -v vdir="$2" -v tol="$tolerance" -v setting="$3" '
    function abs(x) { return x < 0 ? -x : x }
    function report(i, line, why) {
      if (++shown <= 10) printf "mismatch %s series %d: %s\n", setting, i, why > "/dev/stderr"
    }
    BEGIN {
      for (i = 1; i <= count; i++) {
        rfile = rdir "/" i ".csv"; vfile = vdir "/" i ".csv"; bad = 0
        for (line = 1; ; line++) {
          rs = (getline r < rfile); vs = (getline v < vfile)
          if (rs <= 0 || vs <= 0) {
            if (rs != vs) { report(i, line, "R and vigil give different numbers of rows"); bad++ }
            break
          }
          if (line == 1) continue
          split(r, x, ","); split(v, y, ",")
          points++; alarms += (x[5] == 1)
          why = ""
          if (x[1] != y[1] || x[3] != y[3]) why = "rows out of step"
          else if ((x[4] == "NA") != (y[4] == "NA")) why = "upperbound NA in one only"
          else if (x[4] != "NA") {
            m = abs(x[4]) > abs(y[4]) ? abs(x[4]) : abs(y[4])
            if (abs(x[4] - y[4]) > tol * m) why = "upperbound differs"
          }
          if (why == "" && x[5] != y[5]) why = "alarm differs"
          if (why != "") {
            report(i, line, "t=" x[1] " " why " (R " x[4] " " x[5] ", vigil " y[4] " " y[5] ")")
            bad++
          }
        }
        close(rfile); close(vfile)
        bad_points += bad; bad_series += (bad > 0)
      }
      printf "%d %d %d %d\n", points, alarms, bad_points, bad_series
    }'
}

# `vigil series --help`, once per series: the cost of starting the process.
run_vigil_help() {
  local i
  for ((i = 1; i <= count; i++)); do "$vigil" series --help >/dev/null; done
}

# `vigil series` on every series under setting $1, results in $work/vigil-$1.
run_vigil() {
  local i
  for ((i = 1; i <= count; i++)); do
    "$vigil" series --method farringtonFlexible --input "$work/series/$i.csv" \
      --range "$range_first:$range_last" --freq "$freq" "${vigil_params[@]}" \
      >"$work/vigil-$1/$i.csv" || { echo "benchmark: vigil series failed on series $i" >&2; failed=1; }
  done
}

load=$(cut -d' ' -f1-3 /proc/loadavg)
"$vigil" series --help >/dev/null   # page cache warm before anything is timed
measure "$work/time-start" run_vigil_help
read -r start_seconds start_user start_system <"$work/time-start"
start_cpu=$(calc 'a + b' "$start_user" "$start_system")

rows=()
failed=0
for s in "${!setting_names[@]}"; do
  name=${setting_names[$s]}
  read -r -a assignments <<<"${setting_params[$s]}"
  vigil_params=()
  for assignment in "${assignments[@]}"; do vigil_params+=(--param "$assignment"); done
  mkdir -p "$work/r-$name" "$work/vigil-$name"

  measure "$work/time-r" Rscript "$work/run.R" "$count" "$work/series" "$work/r-$name" \
    "$range_first" "$range_last" "$freq" "${setting_params[$s]}" >"$work/r-out"
  read -r r_process_seconds _ <"$work/time-r"
  read -r r_seconds r_cpu r_warnings <"$work/r-out"

  measure "$work/time-vigil" run_vigil "$name"
  read -r vigil_seconds vigil_user vigil_system <"$work/time-vigil"

  read -r points alarms bad_points bad_series \
    <<<"$(compare "$work/r-$name" "$work/vigil-$name" "$name")"
  if ((bad_points > 0)); then
    agreement="$bad_points of $points points differ ($bad_series series)"
    failed=1
  else
    agreement="all $points points"
  fi
  vigil_cpu=$(calc 'a + b' "$vigil_user" "$vigil_system")
  rows+=("$(printf '%-9s %6d %9.1f %9.0f %9.1f %9.2f %9.1f %10.1f %8.0fx %8.0fx %9.0fx %7d  %s' \
    "$name" "$count" "$r_seconds" "$(calc 'a * 1000 / b' "$r_seconds" "$count")" \
    "$r_process_seconds" "$vigil_seconds" "$(calc 'a * 1000 / b' "$vigil_seconds" "$count")" \
    "$(calc '(a - b) * 1000 / c' "$vigil_cpu" "$start_cpu" "$count")" \
    "$(calc 'a / b' "$r_seconds" "$vigil_seconds")" "$(calc 'a / b' "$r_cpu" "$vigil_cpu")" \
    "$(calc 'a / (b - c)' "$r_cpu" "$vigil_cpu" "$start_cpu")" \
    "$alarms" "$agreement")")
  ((r_warnings == 0)) || echo "benchmark: R warned $r_warnings times under $name" >&2
done

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
echo "farringtonFlexible, $count series of 104 weeks, range $range_first:$range_last, freq $freq"
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores ($cpu), load average $load;" \
  "R $r_version, surveillance $surveillance_version, vigil $("$vigil" --version)"
printf 'vigil process start (series --help): %.1f ms wall, %.1f ms CPU\n' \
  "$(calc 'a * 1000 / b' "$start_seconds" "$count")" "$(calc 'a * 1000 / b' "$start_cpu" "$count")"
echo
header='%-9s %6s %9s %9s %9s %9s %9s %10s %9s %9s %10s %7s  %s\n'
printf "$header" "" "" "R calls" "R calls" "R whole" "vigil" "vigil" "vigil CPU" "speed-up" "speed-up" "speed-up" "" ""
printf "$header" setting series "s" "ms/series" "process s" "s" "ms/series" "ms/series" "wall" "CPU" "CPU excl." \
  alarms "agreement (rel. $tolerance, alarms equal)"
printf "$header" "" "" "" "" "" "" "" "excl. start" "" "" "start" "" ""
printf '%s\n' "${rows[@]}"
((failed == 0)) || echo "benchmark: vigil and R disagree or vigil failed (see above)" >&2
exit "$failed"
