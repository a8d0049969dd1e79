"""The bench: it runs a script file and watches it from outside (`python
-m bench SCRIPT`); the chapter scripts never import it."""
