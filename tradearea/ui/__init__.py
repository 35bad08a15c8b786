"""Streamlit pages of the tradearea app (thin: they only call the library)."""
