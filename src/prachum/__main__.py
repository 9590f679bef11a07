from prachum.cli import main

main()
