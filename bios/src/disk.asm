; INT 13h for ATA hard disks on the PIIX3 IDE channels, by PIO with LBA28 (ATA/ATAPI-6: IDENTIFY
; DEVICE, READ SECTORS 20h, WRITE SECTORS 30h; Ralf Brown's INT 13h; Phoenix EDD 3.0 for
; 41h-48h). Hard disks are numbered 80h upwards in the order primary master, primary slave,
; secondary master, secondary slave. The geometry reported to CHS callers is 63 sectors and 16
; heads, or 255 heads (LBA-assisted translation) when that would give more than 1024 cylinders.
; Interrupts from the drives are disabled (nIEN); the BIOS polls the status register.
; ATAPI CD-ROMs (drive E0h) are in cdrom.asm, diskettes (DL < 80h) in floppy.asm. Not here yet: the EDD 3.0 device path table (48h returns the
; 1Ah-byte EDD 1.1 buffer).

DISK_TABLE      equ     0x100           ; in the EBDA: 4 entries of 16 bytes
DT_PORT         equ     0               ; word: command block base
DT_DEV          equ     2               ; byte: device/head register base (A0h / B0h)
DT_SECTORS      equ     4               ; dword: total sectors (LBA28)
DT_CYLS         equ     8
DT_HEADS        equ     10
DT_SPT          equ     12

; ---- detection (POST) ----

; ata_detect: IDENTIFY DEVICE on each position; fills the EBDA table and 40:75.
ata_detect:
        push    es
        push    ds
        mov     ax, [cs:ebda_seg]
        mov     es, ax
        mov     ax, BDA_SEG
        mov     ds, ax
        mov     byte [0x75], 0
        mov     dx, 0x3F6
        mov     al, 0x02                ; nIEN: no interrupts from the primary channel
        out     dx, al
        mov     dx, 0x376
        out     dx, al
        xor     si, si                  ; position 0-3
.pos:   mov     bx, 0x1F0
        cmp     si, 2
        jb      .pri
        mov     bx, 0x170
.pri:   mov     al, 0xA0
        test    si, 1
        jz      .master
        mov     al, 0xB0
.master:
        mov     cl, al
        lea     dx, [bx + 6]
        out     dx, al
        lea     dx, [bx + 7]
        in      al, dx
        cmp     al, 0xFF                ; nothing on the channel
        je      .next
        push    ax                      ; the PACKET signature 14h/EBh in LBA mid/high (9.12)
        lea     dx, [bx + 4]
        in      al, dx
        mov     ah, al
        inc     dx
        in      al, dx
        cmp     ax, 0x14EB
        pop     ax
        jne     .ata
        call    atapi_detected
        jmp     .next
.ata:   lea     dx, [bx + 7]
        test    al, al
        jz      .next                   ; no device at this position
        mov     al, 0xEC                ; IDENTIFY DEVICE
        out     dx, al
        call    ata_wait_drq
        jc      .next
        ; read the 256 words to the EBDA scratch area at 200h
        push    di
        mov     di, 0x200
        mov     dx, bx
        push    cx
        mov     cx, 256
        rep     insw
        pop     cx
        pop     di
        test    byte [es:0x200 + 49 * 2 + 1], 0x02      ; LBA supported
        jz      .next
        movzx   di, byte [0x75]
        shl     di, 4
        add     di, DISK_TABLE
        mov     [es:di + DT_PORT], bx
        mov     [es:di + DT_DEV], cl
        mov     eax, [es:0x200 + 60 * 2]
        mov     [es:di + DT_SECTORS], eax
        call    disk_geometry
        inc     byte [0x75]
.next:  inc     si
        cmp     si, 4
        jb      .pos
        pop     ds
        pop     es
        ret

; disk_geometry: the logical CHS of the disk whose total sectors are EAX, at ES:DI.
disk_geometry:
        push    eax
        push    ebx
        push    edx
        mov     word [es:di + DT_SPT], 63
        mov     word [es:di + DT_HEADS], 16
        mov     ebx, 16 * 63
        xor     edx, edx
        push    eax
        div     ebx
        cmp     eax, 1024
        pop     eax
        jbe     .set
        mov     word [es:di + DT_HEADS], 255
        mov     ebx, 255 * 63
.set:   xor     edx, edx
        div     ebx
        cmp     eax, 1024
        jbe     .cyl
        mov     eax, 1024
.cyl:   mov     [es:di + DT_CYLS], ax
        pop     edx
        pop     ebx
        pop     eax
        ret

; ata_wait_drq: BX = command block; waits for BSY clear, then CF set if ERR or no DRQ.
ata_wait_drq:
        call    ata_wait_busy
        jc      .ret
        test    al, 0x01
        jnz     .err
        test    al, 0x08
        jnz     .ret                    ; CF clear from TEST
.err:   stc
.ret:   ret

; ata_wait_busy: AL = status once BSY is clear; CF set after a time-out.
ata_wait_busy:
        push    ecx
        push    dx
        lea     dx, [bx + 7]
        mov     ecx, 0x100000
.w:     in      al, dx
        test    al, 0x80
        jz      .ok
        dec     ecx
        jnz     .w
        stc
        jmp     .done
.ok:    clc
.done:  pop     dx
        pop     ecx
        ret

; ---- INT 13h ----

; The frame after "push ds, push es, pushad" with BP = SP:
F_EDI   equ     0
F_ESI   equ     4
F_EBX   equ     16
F_EDX   equ     20
F_ECX   equ     24
F_EAX   equ     28
F_ES    equ     32
F_DS    equ     34
F_FLAGS equ     40

int13_handler:
        sti
        push    ds
        push    es
        pushad
        mov     bp, sp
        cld
        cmp     dl, 0x80
        jb      floppy_int13            ; diskettes: floppy.asm
        mov     ax, BDA_SEG
        mov     ds, ax
        cmp     dl, CD_DRIVE
        je      cd_int13
        mov     al, dl
        sub     al, 0x80
        cmp     al, [0x75]
        jae     .nodrive
        movzx   di, al
        shl     di, 4
        add     di, DISK_TABLE
        mov     fs, [cs:ebda_seg]       ; FS:DI = the drive's table entry
        mov     ah, [bp + F_EAX + 1]
        cmp     ah, 0x00
        je      .ok
        cmp     ah, 0x01
        je      .status
        cmp     ah, 0x02
        je      .read_chs
        cmp     ah, 0x03
        je      .write_chs
        cmp     ah, 0x04
        je      .ok
        cmp     ah, 0x08
        je      .params
        cmp     ah, 0x0C
        je      .ok
        cmp     ah, 0x0D
        je      .ok
        cmp     ah, 0x10
        je      .ok
        cmp     ah, 0x11
        je      .ok
        cmp     ah, 0x15
        je      .type
        cmp     ah, 0x41
        je      .edd_check
        cmp     ah, 0x42
        je      .ext_read
        cmp     ah, 0x43
        je      .ext_write
        cmp     ah, 0x44
        je      .ok
        cmp     ah, 0x47
        je      .ok
        cmp     ah, 0x48
        je      .ext_params
        mov     ah, 0x01                ; invalid function
        jmp     .fail
.nodrive:
        mov     ax, BDA_SEG
        mov     ds, ax
        mov     ah, 0x01
        jmp     .fail

.status:
        mov     al, [0x74]
        mov     [bp + F_EAX], al
        xor     ah, ah
        jmp     .done

.read_chs:
        push    word 0x2000
        jmp     .chs
.write_chs:
        push    word 0x3000
.chs:   ; LBA = (C * heads + H) * spt + S - 1; C = CH | (CL 7-6) << 2
        movzx   eax, byte [bp + F_ECX + 1]
        mov     cl, [bp + F_ECX]
        mov     ch, cl
        shr     ch, 6
        mov     ah, ch
        movzx   ebx, word [fs:di + DT_HEADS]
        mul     ebx
        movzx   ebx, byte [bp + F_EDX + 1]
        add     eax, ebx
        movzx   ebx, word [fs:di + DT_SPT]
        mul     ebx
        and     ecx, 0x3F
        jz      .bad_sector_pop
        dec     ecx
        add     eax, ecx
        movzx   cx, byte [bp + F_EAX]   ; AL = count
        mov     si, [bp + F_EBX]
        mov     es, [bp + F_ES]
        pop     dx                      ; DH = the command
        call    ata_transfer
        mov     [bp + F_EAX], cl        ; sectors transferred
        jmp     .done
.bad_sector_pop:
        add     sp, 2
.bad_sector:
        mov     ah, 0x04
        jmp     .fail

.params:
        ; CH = low 8 bits of the last cylinder, CL = sectors | cylinder bits 9-8 << 6,
        ; DH = last head, DL = number of disks; ES:DI unchanged (only for floppies).
        mov     ax, [fs:di + DT_CYLS]
        dec     ax
        mov     [bp + F_ECX + 1], al
        shl     ah, 6
        or      ah, [fs:di + DT_SPT]
        mov     [bp + F_ECX], ah
        mov     al, [fs:di + DT_HEADS]
        dec     al
        mov     [bp + F_EDX + 1], al
        mov     al, [0x75]
        mov     [bp + F_EDX], al
        xor     ah, ah
        mov     [bp + F_EAX], ah
        jmp     .done

.type:  ; AH = 03h (hard disk), CX:DX = sectors
        mov     eax, [fs:di + DT_SECTORS]
        mov     [bp + F_EDX], ax
        shr     eax, 16
        mov     [bp + F_ECX], ax
        mov     byte [bp + F_EAX + 1], 0x03
        mov     ah, 0
        call    .set_status
        and     byte [bp + F_FLAGS], 0xFE
        jmp     .out

.edd_check:
        cmp     word [bp + F_EBX], 0x55AA
        jne     .invalid
        mov     word [bp + F_EBX], 0xAA55
        mov     word [bp + F_ECX], 0x0001      ; fixed-disk access subset (42h-44h, 47h, 48h)
        mov     byte [bp + F_EAX + 1], 0x30    ; EDD 3.0
        xor     ah, ah
        call    .set_status
        and     byte [bp + F_FLAGS], 0xFE
        jmp     .out
.invalid:
        mov     ah, 0x01
        jmp     .fail

.ext_read:
        mov     dh, 0x20
        jmp     .ext
.ext_write:
        mov     dh, 0x30
.ext:   ; DS:SI = disk address packet: size, 0, count word, buffer far pointer, LBA qword
        mov     ds, [bp + F_DS]
        mov     si, [bp + F_ESI]
        cmp     byte [si], 0x10
        jb      .invalid
        mov     cx, [si + 2]
        mov     eax, [si + 8]
        cmp     dword [si + 12], 0
        jne     .bad_sector
        les     bx, [si + 4]
        push    si
        mov     si, bx
        call    ata_transfer
        pop     si
        mov     ds, [bp + F_DS]
        mov     [si + 2], cx
        push    ax
        mov     ax, BDA_SEG
        mov     ds, ax
        pop     ax
        jmp     .done

.ext_params:
        mov     es, [bp + F_DS]
        mov     bx, [bp + F_ESI]
        cmp     word [es:bx], 0x1A
        jb      .invalid
        mov     word [es:bx], 0x1A
        mov     word [es:bx + 2], 0x0002        ; geometry valid
        movzx   eax, word [fs:di + DT_CYLS]
        mov     [es:bx + 4], eax
        movzx   eax, word [fs:di + DT_HEADS]
        mov     [es:bx + 8], eax
        movzx   eax, word [fs:di + DT_SPT]
        mov     [es:bx + 12], eax
        mov     eax, [fs:di + DT_SECTORS]
        mov     [es:bx + 16], eax
        mov     dword [es:bx + 20], 0
        mov     word [es:bx + 24], 512
        xor     ah, ah
        jmp     .done

.ok:    xor     ah, ah
.done:  test    ah, ah
        jnz     .fail
        call    .set_status
        and     byte [bp + F_FLAGS], 0xFE
        mov     [bp + F_EAX + 1], ah
        jmp     .out
.fail:  call    .set_status
        or      byte [bp + F_FLAGS], 0x01
        mov     [bp + F_EAX + 1], ah
.out:   popad
        pop     es
        pop     ds
        iret
; .set_status: the last status (AH) in 40:74 (hard disks) or 40:41 (floppies).
.set_status:
        push    ds
        push    bx
        mov     bx, BDA_SEG
        mov     ds, bx
        test    byte [bp + F_EDX], 0x80
        jz      .fs
        mov     [0x74], ah
        jmp     .ss
.fs:    mov     [0x41], ah
.ss:    pop     bx
        pop     ds
        ret

; ata_transfer: FS:DI = drive, EAX = LBA, CX = sectors (at most 255 here), ES:SI = buffer,
; DH = 20h read or 30h write. Returns AH = status (0, or 04h out of range, 20h controller
; error, 80h time-out) and CX = the sectors transferred.
ata_transfer:
        push    bx
        push    di
        push    bp
        push    dx
        push    es
        push    si
        mov     bp, cx
        mov     bx, [fs:di + DT_PORT]
        mov     dl, [fs:di + DT_DEV]
        xor     cx, cx
        test    bp, bp
        jz      .okret
        cmp     bp, 255
        ja      .range
        push    eax
        movzx   ecx, bp
        add     eax, ecx
        jc      .range_pop
        cmp     eax, [fs:di + DT_SECTORS]
        pop     eax
        ja      .range
        xor     cx, cx
        push    eax
        call    ata_wait_busy
        pop     eax
        jc      .timeout
        push    dx
        mov     ecx, eax
        lea     dx, [bx + 2]
        mov     ax, bp
        out     dx, al                  ; sector count
        inc     dx
        mov     al, cl
        out     dx, al                  ; LBA 7-0
        inc     dx
        mov     al, ch
        out     dx, al                  ; LBA 15-8
        inc     dx
        shr     ecx, 16
        mov     al, cl
        out     dx, al                  ; LBA 23-16
        inc     dx
        mov     al, ch
        and     al, 0x0F                ; LBA 27-24
        pop     cx                      ; CL = device register base, CH = command
        or      al, cl
        or      al, 0x40                ; LBA addressing
        out     dx, al
        inc     dx
        mov     al, ch
        out     dx, al
        xor     di, di                  ; sectors done
.sector:
        ; normalise ES:SI so the 512 bytes never cross a segment's end
        mov     ax, si
        shr     ax, 4
        mov     dx, es
        add     dx, ax
        mov     es, dx
        and     si, 0x0F
        push    cx
        call    ata_wait_drq
        pop     cx
        jc      .error
        mov     dx, bx
        push    cx
        cmp     ch, 0x30
        mov     cx, 256
        je      .write
        push    di
        mov     di, si
        rep     insw
        mov     si, di
        pop     di
        jmp     .moved
.write: push    ds
        push    es
        pop     ds
        rep     outsw
        pop     ds
.moved: pop     cx
        inc     di
        cmp     di, bp
        jb      .sector
        push    cx
        call    ata_wait_busy           ; the last write has reached the disk
        pop     cx
        mov     cx, di
.okret: xor     ah, ah
        jmp     .ret
.range_pop:
        pop     eax
.range: xor     cx, cx
        mov     ah, 0x04
        jmp     .ret
.timeout:
        xor     cx, cx
        mov     ah, 0x80
        jmp     .ret
.error: mov     cx, di
        mov     ah, 0x20
.ret:   pop     si
        pop     es
        pop     dx
        pop     bp
        pop     di
        pop     bx
        ret

; ide_setup: IDE decode enable (IDETIM bit 15) on both channels of the PIIX3 IDE function
; (8086:7010) wherever it is, and bus mastering on (PIIX3 datasheet 2.3.9).
ide_setup:
        mov     ax, 0xB102
        mov     cx, 0x7010
        mov     dx, 0x8086
        xor     si, si
        int     0x1A
        jc      .none
        mov     di, 0x40
        mov     ecx, 0x80008000
        call    pci_write32
        mov     di, 0x04
        call    pci_read16
        or      cl, 0x05
        call    pci_write16
.none:  ret
