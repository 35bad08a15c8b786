"""Write surveys/demo_survey.csv (and its truth table) for the demo store, reproducibly.

Run: .venv/bin/python surveys/make_demo_survey.py   (builds region helsinki-center first if needed)
The output is byte-for-byte identical on every run (seeded generator, fixed formatting).
"""

from __future__ import annotations

from tradearea.project.demo import write_demo_survey

if __name__ == "__main__":
    survey, truth = write_demo_survey()
    print(f"wrote {survey} and {truth}")
