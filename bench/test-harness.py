#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""test-harness.py: the benchmark runner's checks against its own figures.

bench/run refuses a figure that is not plausible; its producers must never
write one it refuses. This feeds run-bed's result() the figures it makes
(values and baselines rounded as run-bed rounds them, ratios from far
below 1 to far above) and bench/run's plausible() must accept every one;
then figures that really are wrong must still be refused, so that the
checks stay strict.

Ends with an 'N passed, N failed' line; exits 1 on any failure.
"""

import contextlib
import importlib.machinery
import importlib.util
import io
import json
import os
import sys
import unittest

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))


def load(name, path):
    loader = importlib.machinery.SourceFileLoader(name, path)
    spec = importlib.util.spec_from_loader(name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


runner = load('bench_run', os.path.join(BENCH_DIR, 'run'))
run_bed = load('bench_run_bed', os.path.join(BENCH_DIR, 'bed', 'run-bed'))


def bed_record(*args, **kwargs):
    """The record run-bed's result() prints, as bench/run reads it."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        run_bed.result(*args, **kwargs)
    line = out.getvalue().strip()
    assert line.startswith('RESULT '), line
    record = json.loads(line[len('RESULT '):])
    record['source'] = 'bed/run-bed'
    return record


class Harness(unittest.TestCase):
    def assertPlausible(self, record):
        self.assertIsNone(runner.plausible(record), record)

    def test_latency_figures(self):
        # The figure the runner once refused: a p99 of 400.4 us against a
        # baseline of 1142.4 us, both rounded to 0.1 us as run-bed does.
        for value, baseline in ((400.4, 1142.4), (400.0, 1142.0), (65.0, 57.0),
                                (523.3, 503.1), (1.1, 999.9), (0.1, 9999.9)):
            with self.subTest(value=value, baseline=baseline):
                self.assertPlausible(bed_record('lifecycle event latency p99', value, 'us',
                                                'detail', baseline=baseline,
                                                target=('<=', 1000), target_on_ratio=False))

    def test_every_ratio(self):
        # Ratios over six orders of magnitude, values rounded as run-bed's
        # figures are (to 0.1, 0.01, 0.001 and 0.0001).
        for places in (1, 2, 3, 4):
            for i in range(1, 400):
                value = round(0.37 * i ** 1.7, places)
                baseline = round(1000.0 / i, places)
                if value <= 0 or baseline <= 0:
                    continue
                record = bed_record('figure', value, 'ms', 'detail', baseline=baseline,
                                    target=('<=', 1.1))
                problem = runner.plausible(record)
                if problem:
                    self.fail(f'{value} / {baseline}: {problem}')

    def test_met_follows_the_ratio(self):
        self.assertTrue(bed_record('f', 10.0, 'ms', 'd', baseline=10.0,
                                   target=('<=', 1.1))['met'])
        self.assertFalse(bed_record('f', 12.0, 'ms', 'd', baseline=10.0,
                                    target=('<=', 1.1))['met'])
        self.assertTrue(bed_record('f', 90.0, 'us', 'd', baseline=500.0,
                                   target=('<=', 100), target_on_ratio=False)['met'])

    def test_wrong_figures_refused(self):
        good = bed_record('f', 400.4, 'us', 'd', baseline=1142.4)
        self.assertPlausible(good)
        for change, why in (({'ratio': good['ratio'] * 1.01}, 'ratio is not value/baseline'),
                            ({'value': 0}, 'is not a positive number'),
                            ({'value': float('nan')}, 'is not a positive number'),
                            ({'baseline': -1.0}, 'is not a positive number'),
                            ({'ratio': float('inf')}, 'is not a positive number')):
            with self.subTest(change=change):
                problem = runner.plausible(dict(good, **change))
                self.assertIsNotNone(problem)
                self.assertIn(why, problem)
        missing = dict(good)
        del missing['detail']
        self.assertIn('missing keys', runner.plausible(missing))
        counted = dict(good, source='callgrind', value=40.0, baseline=42.7, ratio=40.0 / 42.7)
        self.assertIn('uncounted', runner.plausible(counted))


if __name__ == '__main__':
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(Harness)
    result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    failed = len(result.failures) + len(result.errors)
    passed = result.testsRun - failed - len(result.skipped)
    print(f'{passed} passed, {failed} failed', flush=True)
    sys.exit(0 if failed == 0 and not result.skipped and result.testsRun > 0 else 1)
