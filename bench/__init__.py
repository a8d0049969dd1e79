"""The bench around the two chapter scripts, which never import it: it
runs a script file and watches it from outside (`python -m bench SCRIPT`).
"""
