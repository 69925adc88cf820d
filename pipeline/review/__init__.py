"""The editor review app: check drafts against the recording, correct the transcript, approve.

store.py owns data/review.sqlite; app.py is the web app (`pipeline review`).
"""
