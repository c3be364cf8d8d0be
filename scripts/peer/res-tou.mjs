/* SPDX-License-Identifier: Apache-2.0 */
/*
 * res-tou.mjs: the bills of one rate code for one cycle, computed by
 * DuckDB straight from the registry CSVs and the reads file: the peer of
 * scripts/bench-peer.sh (a benchmark, not part of billrun).
 *
 *   node res-tou.mjs DATADIR RATESDIR CYCLE CODE OUT [THREADS]
 *
 * DATADIR holds registry/ and reads.csv.gz (generic CSV
 * meter_id,interval_start,value as scripts/bench.sh writes it).  The
 * tariff RATESDIR/CODE.yaml is read here and its prices, TOU periods,
 * holidays and rounding rule are put into the SQL, so that the bills come
 * out as billrun's engine computes them (docs/tariff.md): each interval
 * belongs to the TOU period of the local wall-clock time (the utility's
 * timezone, DST included) at which it starts, first matching period wins;
 * line micro-dollars = quantity (milli-kWh) x rate, rounded half up at the
 * micro-dollar; each line rounded to cents by the tariff's rule; the bill
 * total is the sum of the line cents.  Rates are held as nano-dollars per
 * unit (exact for up to 9 decimals).
 *
 * Only what the bench month needs is implemented: a tariff with a
 * customer charge and TOU (or flat) energy, one version and one season in
 * the cycle, agreements and installs covering the whole period, meter
 * multiplier 1.  Anything else is refused (exit 2), never approximated.
 *
 * OUT gets one row per bill line and one TOTAL row per bill, as
 * account_id,seq,code,quantity_milli,amount_cents (seq 0 for TOTAL),
 * unsorted.  No store, no validation, no audit log.  Stderr: the query's
 * own wall time.
 */
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import YAML from 'yaml';

function die(msg) {
	process.stderr.write(`res-tou: ${msg}\n`);
	process.exit(2);
}

/* "0.165" -> 165000000n nano-dollars; exact, at most 9 decimals. */
function nano(s, what) {
	const m = /^(\d+)(?:\.(\d{1,9}))?$/.exec(String(s));
	if (!m)
		die(`${what}: bad amount '${s}'`);
	return BigInt(m[1]) * 1000000000n + BigInt((m[2] || '').padEnd(9, '0'));
}

/* "14:00" -> minutes of the day (24:00 allowed). */
function minutes(s, what) {
	const m = /^(\d\d):(\d\d)$/.exec(s);
	if (!m || +m[1] > 24 || +m[2] > 59 || (+m[1] === 24 && +m[2] !== 0))
		die(`${what}: bad time '${s}'`);
	return +m[1] * 60 + +m[2];
}

function csvMap(path) {
	const rows = readFileSync(path, 'utf8').trim().split('\n').slice(1);
	return Object.fromEntries(rows.map((l) => l.split(',')));
}

function csvRow(path, key) {
	for (const l of readFileSync(path, 'utf8').trim().split('\n').slice(1)) {
		const f = l.split(',');
		if (f[0] === key)
			return f;
	}
	return die(`${path}: no row '${key}'`);
}

/* Month numbers of a season's "M" or "M-N" (ranges may wrap). */
function seasonMonths(spec) {
	const [a, b] = String(spec).split('-').map(Number);
	const out = [];
	for (let m = a; ; m = m % 12 + 1) {
		out.push(m);
		if (m === (b || a))
			return out;
	}
}

const allowedVersionKeys = new Set(['effective', 'customer_charge', 'energy']);

/* The tariff's one version and one season for the period, or die. */
function tariffFor(path, code, start, end) {
	const t = YAML.parse(readFileSync(path, 'utf8'), { schema: 'failsafe' });
	if (t.code !== code || t.unit !== 'kWh')
		die(`${path}: not a kWh tariff named ${code}`);
	for (const k of Object.keys(t))
		if (!['code', 'name', 'unit', 'rounding', 'seasons', 'holidays',
		    'versions'].includes(k))
			die(`${path}: '${k}' is not implemented by the peer`);
	const versions = t.versions.filter((v, i) => v.effective <= end &&
	    (i + 1 === t.versions.length || t.versions[i + 1].effective > start));
	if (versions.length !== 1 || versions[0].effective > start)
		die(`${path}: the peer handles one version per cycle`);
	const v = versions[0];
	for (const k of Object.keys(v))
		if (!allowedVersionKeys.has(k))
			die(`${path}: '${k}' is not implemented by the peer`);
	/* The season of every month the period touches must be one. */
	const months = [];
	for (let y = +start.slice(0, 4), m = +start.slice(5, 7);
	    `${y}-${String(m).padStart(2, '0')}` <= end.slice(0, 7);
	    m === 12 ? (y++, m = 1) : m++)
		months.push(m);
	const seasonOf = (m) => (t.seasons || []).find((s) =>
	    seasonMonths(s.months).includes(m))?.name || 'all';
	const season = seasonOf(months[0]);
	if (months.some((m) => seasonOf(m) !== season))
		die(`${path}: the cycle crosses a season`);
	const energy = v.energy.filter((e) => (e.season || 'all') === season ||
	    (e.season || 'all') === 'all');
	if (energy.length !== 1)
		die(`${path}: no single energy entry for season ${season}`);
	const e = energy[0];
	for (const k of Object.keys(e))
		if (!['season', 'rate', 'periods'].includes(k))
			die(`${path}: energy '${k}' is not implemented by the peer`);
	const periods = e.periods ? e.periods.map((p) => {
		for (const k of Object.keys(p))
			if (!['name', 'days', 'hours', 'rate'].includes(k))
				die(`${path}: period '${k}' is not implemented by the peer`);
		const hours = p.hours === undefined ? [] :
		    Array.isArray(p.hours) ? p.hours : [p.hours];
		return {
			code: 'ENERGY_' + p.name.toUpperCase(),
			days: p.days || 'all',
			ranges: hours.map((h) => h.split('-').map((x) => minutes(x, path))),
			nano: nano(p.rate, path),
		};
	}) : [{ code: 'ENERGY', days: 'all', ranges: [], nano: nano(e.rate, path) }];
	const cc = v.customer_charge;
	return {
		rounding: t.rounding || 'half_up',
		holidays: (t.holidays || []).map(String),
		customerNano: cc ? nano(cc.amount, path) : 0n,
		customerPer: cc ? cc.per || 'month' : 'month',
		periods,
	};
}

/* SQL: the index (1-based) of the first period matching local time lt
 * (evaluated once per quarter hour of the cycle, not per read, as
 * billrun's engine classifies each local slot once per cycle). */
function periodCase(t) {
	const weekend = `(dayofweek(lt) IN (0, 6) OR CAST(lt AS DATE) IN (${
	    t.holidays.length ? t.holidays.map((d) => `DATE '${d}'`).join(', ') :
	    'NULL'}))`;
	const mod = '(hour(lt) * 60 + minute(lt))';
	const arms = t.periods.map((p, i) => {
		const c = [];
		if (p.days === 'weekday')
			c.push(`NOT ${weekend}`);
		else if (p.days === 'weekend')
			c.push(weekend);
		else if (p.days !== 'all')
			die(`period days '${p.days}' unknown`);
		if (p.ranges.length)
			c.push('(' + p.ranges.map(([a, b]) =>
			    `${mod} >= ${a} AND ${mod} < ${b}`).join(' OR ') + ')');
		return `WHEN ${c.length ? c.join(' AND ') : 'TRUE'} THEN ${i + 1}`;
	});
	return `CASE ${arms.join(' ')} END`;
}

/* SQL: integer n / d rounded by mode, as billrun's br_div_round. */
function roundMacros() {
	return `
CREATE MACRO rnd_half_up(n, d) AS
  sign(n) * ((2 * abs(n) + d) // (2 * d));
CREATE MACRO rnd_down(n, d) AS sign(n) * (abs(n) // d);
CREATE MACRO rnd_up(n, d) AS sign(n) * ((abs(n) + d - 1) // d);
CREATE MACRO rnd_half_even(n, d) AS sign(n) * (abs(n) // d +
  CASE WHEN 2 * (abs(n) % d) > d OR (2 * (abs(n) % d) = d AND
    (abs(n) // d) % 2 = 1) THEN 1 ELSE 0 END);`;
}

async function main() {
	const [data, rates, cycle, code, out, threads] = process.argv.slice(2);
	if (!out)
		die('usage: node res-tou.mjs DATADIR RATESDIR CYCLE CODE OUT [THREADS]');
	const reg = `${data}/registry`;
	const tz = csvMap(`${reg}/utility.csv`).timezone;
	const [, start, end] = csvRow(`${reg}/cycles.csv`, cycle);
	const t = tariffFor(`${rates}/${code}.yaml`, code, start, end);
	if (!['half_up', 'half_even', 'down', 'up'].includes(t.rounding))
		die(`rounding '${t.rounding}' unknown`);
	const cents = (x) => `rnd_${t.rounding}(${x}, 10000)`;
	const pdays = (Date.parse(end) - Date.parse(start)) / 86400000 + 1;
	const csv = (f) => `read_csv('${reg}/${f}', header = true, all_varchar = true)`;

	const inst = await DuckDBInstance.create(':memory:',
	    threads ? { threads: String(threads) } : {});
	const db = await inst.connect();
	const t0 = process.hrtime.bigint();
	await db.run(roundMacros());
	/* The agreements on this rate for the cycle, and their meters. */
	await db.run(`
CREATE TABLE ag AS
  SELECT g.account_id, g.sp_id,
         g.start_date <= '${start}' AND
           (coalesce(g.end_date, '') = '' OR g.end_date >= '${end}') AS whole
  FROM ${csv('agreements.csv')} g
  JOIN ${csv('accounts.csv')} a USING (account_id)
  WHERE g.rate_code = '${code}' AND a.status <> 'closed'
    AND g.start_date <= '${end}'
    AND (coalesce(g.end_date, '') = '' OR g.end_date >= '${start}');
CREATE TABLE mi AS
  SELECT i.meter_id, i.sp_id, m.multiplier,
         i.install_date <= '${start}' AND
           (coalesce(i.remove_date, '') = '' OR i.remove_date > '${end}') AS whole
  FROM ${csv('meter_installs.csv')} i
  JOIN ${csv('meters.csv')} m USING (meter_id)
  WHERE i.sp_id IN (SELECT sp_id FROM ag);`);
	const odd = (await db.runAndReadAll(`
SELECT (SELECT count(*) FROM ag WHERE NOT whole) +
       (SELECT count(*) - count(DISTINCT account_id) FROM ag),
       (SELECT count(*) FROM mi WHERE NOT whole OR multiplier <> '1')`)).getRows()[0];
	if (odd[0] || odd[1])
		die(`${odd[0]} agreements (partial, or several per account) or ` +
		    `${odd[1]} installs (partial, or with a multiplier): not ` +
		    'implemented by the peer');

	const periods = t.periods.map((p, i) =>
	    `(${i + 1}, '${p.code}', ${p.nano})`).join(', ');
	const custQty = t.customerPer === 'day' ? pdays * 1000 : 1000;
	const custMicro = t.customerPer === 'day' ?
	    `rnd_half_up(${pdays * 1000}::BIGINT * ${t.customerNano}, 1000000)` :
	    `rnd_half_up(${t.customerNano}::HUGEINT * ${pdays}, ${pdays} * 1000)`;
	await db.run(`
CREATE TABLE period(p INTEGER, code VARCHAR, rate_nano BIGINT);
INSERT INTO period VALUES ${periods};
CREATE TABLE slot AS
  SELECT q, ${periodCase(t)} AS p FROM (
    SELECT epoch_us(t) // 900000000 AS q, timezone('${tz}', t) AS lt
    FROM generate_series(TIMESTAMPTZ '${start} 00:00:00+00' - INTERVAL 2 DAY,
                         TIMESTAMPTZ '${end} 00:00:00+00' + INTERVAL 3 DAY,
                         INTERVAL 15 MINUTE) s(t)
  )
  WHERE CAST(lt AS DATE) BETWEEN DATE '${start}' AND DATE '${end}';
CREATE TABLE usage AS
  SELECT mi.sp_id, slot.p, sum(CAST(r.value * 1000 AS BIGINT)) AS milli
  FROM read_csv('${data}/reads.csv.gz', header = true,
    columns = {'meter_id': 'VARCHAR', 'interval_start': 'TIMESTAMPTZ',
               'value': 'DECIMAL(18,3)'}) r
  JOIN slot ON epoch_us(r.interval_start) // 900000000 = slot.q
  JOIN mi USING (meter_id)
  GROUP BY ALL;
CREATE TABLE line AS
  SELECT account_id, 1 AS seq, 'CUSTOMER' AS code,
         ${custQty}::BIGINT AS qty, ${cents(custMicro)} AS cents
  FROM ag WHERE ${t.customerNano} > 0
  UNION ALL
  SELECT ag.account_id, period.p + ${t.customerNano > 0n ? 1 : 0},
         period.code, coalesce(u.milli, 0),
         ${cents('rnd_half_up(coalesce(u.milli, 0)::HUGEINT * period.rate_nano, 1000000)')}
  FROM ag CROSS JOIN period
  LEFT JOIN usage u ON u.sp_id = ag.sp_id AND u.p = period.p;
COPY (
  SELECT account_id, seq, code, qty, cents FROM line
  UNION ALL
  SELECT account_id, 0, 'TOTAL', 0, sum(cents) FROM line GROUP BY account_id
) TO '${out}' (HEADER false);`);
	const ms = Number(process.hrtime.bigint() - t0) / 1e6;
	process.stderr.write(`res-tou: query ${(ms / 1000).toFixed(2)} s wall\n`);
}

main().catch((e) => die(e.message));
