# socket tests
