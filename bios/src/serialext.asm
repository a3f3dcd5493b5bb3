; INT 14h 04h and 05h, the PS/2 extended serial functions (IBM PS/2 and PC BIOS Interface
; Technical Reference, "Serial Communications"; Ralf Brown's INT 14h), entered from
; int14_handler with DX = the port's base, AL as the caller gave it, and the caller's DX, CX,
; BX, DS on the stack (in that order from the top). Both end in its status (AH = line status,
; AL = modem status).
;
; 04h extended initialise: AL = break (0 off, 1 on), BH = parity (0 none, 1 odd, 2 even,
; 3 stick parity odd, 4 stick parity even), BL = stop bits (0 one, 1 two), CH = word length
; (0-3: 5-8 bits), CL = rate (0-8: 110, 150, 300, 600, 1200, 2400, 4800, 9600, 19200 bit/s).
; A value out of those ranges leaves the port as it is. 16550 LCR (PC16550D datasheet):
; bits 1-0 word length, bit 2 stop bits, bit 3 parity enable, bit 4 even parity, bit 5 stick
; parity, bit 6 break.
; 05h extended port control: AL = 0 reads the modem control register into BL, AL = 1 writes BL
; to it (bits 4-0: DTR, RTS, OUT1, OUT2, loop).

int14_ext_init:
        push    bp
        mov     bp, sp
        mov     cx, [bp + 4]            ; the caller's CX
        mov     bx, [bp + 6]            ; the caller's BX
        pop     bp
        cmp     cl, 8
        ja      .done
        cmp     ch, 3
        ja      .done
        cmp     bl, 1
        ja      .done
        cmp     bh, 4
        ja      .done
        mov     ah, ch                  ; the LCR: word length
        shl     bl, 2
        or      ah, bl                  ; stop bits
        and     al, 1
        shl     al, 6
        or      ah, al                  ; break
        movzx   bx, bh
        or      ah, [cs:ps2_parity + bx]
        movzx   bx, cl
        add     bx, bx
        mov     bx, [cs:com_divisors + bx]
        add     dx, 3
        mov     al, 0x80                ; DLAB
        out     dx, al
        sub     dx, 3
        mov     al, bl
        out     dx, al                  ; DLL
        inc     dx
        mov     al, bh
        out     dx, al                  ; DLM
        add     dx, 2
        mov     al, ah
        out     dx, al                  ; LCR, DLAB off
        sub     dx, 2
        xor     al, al
        out     dx, al                  ; IER: no interrupts
        dec     dx
.done:  jmp     int14_handler.status

int14_ext_control:
        cmp     al, 1
        ja      .done
        add     dx, 4                   ; MCR
        push    bp
        mov     bp, sp
        test    al, al
        jnz     .write
        in      al, dx
        mov     [bp + 6], al            ; BL of the caller's BX, which the handler restores
        jmp     .back
.write: mov     al, [bp + 6]
        and     al, 0x1F
        out     dx, al
.back:  pop     bp
        sub     dx, 4
.done:  jmp     int14_handler.status

; LCR bits 5-3 for BH = 0-4: none, odd (PEN), even (PEN, EPS), stick odd: parity bit always 1
; (PEN, stick), stick even: always 0 (PEN, EPS, stick).
ps2_parity:     db      0x00, 0x08, 0x18, 0x28, 0x38
