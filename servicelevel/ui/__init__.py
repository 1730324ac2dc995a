"""Streamlit-aware helpers: the only part of servicelevel that imports streamlit."""
