"""Streamlit entry point: `streamlit run app.py` (what `make run` starts)."""

from tradearea.ui.streamlit_app import main

main()
